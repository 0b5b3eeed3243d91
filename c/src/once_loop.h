/* once_loop.h — FC_ONCE_LOOP before a loop that runs once per training or per file (the
 * model's fit, its file coding, the window walk): size over speed, since the wasm ships to every
 * page. The loop is kept as written, not vectorised or unrolled into copies that cost download
 * bytes for no measured gain. */
#ifndef FC_ONCE_LOOP_H
#define FC_ONCE_LOOP_H
#if defined(__clang__)
#define FC_ONCE_LOOP _Pragma("clang loop vectorize(disable) unroll(disable)")
#else
#define FC_ONCE_LOOP
#endif
/* FC_ROW_LOOP before a hot fixed-width loop (the shared network's rows of 16 hidden units):
 * vectorised, but one vector pass without interleaved or unrolled copies, which at -O3 made the
 * network's training 29 KB of wasm. */
#if defined(__clang__)
#define FC_ROW_LOOP _Pragma("clang loop interleave_count(1) unroll(disable)")
#else
#define FC_ROW_LOOP
#endif
#endif
