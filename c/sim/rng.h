/* rng.h — the simulator's own pseudo-random numbers: xoshiro256** seeded through splitmix64.
 * The C library's rand() differs between platforms; this generator makes a seed reproduce the
 * same dataset everywhere. Independent streams (traffic, sensors, events) come from distinct
 * stream numbers, so switching sensor noise off does not change the traffic. */
#ifndef SIM_RNG_H
#define SIM_RNG_H
#include <stdint.h>
#include <math.h>

typedef struct sim_rng { uint64_t s[4]; } sim_rng;

static inline uint64_t sim_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed * 0xD1B54A32D192ED03ull + stream * 0x8CB92BA72F3D8DD7ull + 1;
    for (int i = 0; i < 4; i++) r->s[i] = sim_splitmix64(&x);
}

static inline uint64_t sim_rng_next(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t t = s[1] << 17, x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double sim_rng_uniform(sim_rng *r)
{
    return (double)(sim_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline double sim_rng_range(sim_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * sim_rng_uniform(r);
}

/* Integer in [0, n). */
static inline int sim_rng_int(sim_rng *r, int n)
{
    return (int)(sim_rng_uniform(r) * n);
}

/* Standard normal (Box-Muller; one value per call keeps the stream simple to reason about). */
static inline double sim_rng_normal(sim_rng *r)
{
    double u = 1.0 - sim_rng_uniform(r), v = sim_rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Exponential with the given mean. */
static inline double sim_rng_exp(sim_rng *r, double mean)
{
    return -mean * log(1.0 - sim_rng_uniform(r));
}

#endif
