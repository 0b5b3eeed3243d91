/* le.h — fields of the binary file formats (model files: model_io.c; profile tiles: tile.c),
 * read and written at any alignment. Both formats are little-endian and stored in the host's
 * byte order, which those files check at compile time. */
#ifndef FC_LE_H
#define FC_LE_H
#include <stdint.h>
#include <string.h>

static inline void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline void putf(uint8_t *p, float v) { memcpy(p, &v, 4); }
static inline uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline float getf(const uint8_t *p) { float v; memcpy(&v, p, 4); return v; }

#endif
