/* hash.h — a fast non-cryptographic 64-bit hash for state digests (not for security). */
#ifndef FC_HASH_H
#define FC_HASH_H
#include <stddef.h>
#include <stdint.h>

#define FC_HASH_SEED 0x6c62272e07bb0142ull
/* Continues hash h over len bytes; chain calls to hash several buffers. */
uint64_t fc_hash_bytes(uint64_t h, const void *data, size_t len);

#endif
