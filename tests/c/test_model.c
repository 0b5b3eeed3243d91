/* test_model.c — the model's forecast clamp is the model's max_speed_mph (the engine's
 * fc_config.max_speed_mph), not a fixed 120 mph: a model trained on ~55-75 mph traffic forecasts
 * above 50 mph with the default clamp and never above 50 with a clamp of 50. */
#include <math.h>
#include <stdlib.h>
#include "engine.h"
#include "test.h"


void test_model_clamp(void);
void test_model_clamp(void)
{
    fc_engine *e = fc_test_trained_engine(15); /* ~55-75 mph: forecasts above 50 */
    CHECK(e != NULL);
    if (!e) return;
    fc_model *m = e->model;
    CHECK(m && m->max_speed_mph == e->cfg.max_speed_mph); /* the engine hands its limit over */
    if (!m) {
        fc_engine_destroy(e);
        return;
    }
    enum { N = 4 * 6 };
    float mid[N], lo[N], hi[N];
    CHECK_EQ_INT(fc_model_forecast(m, e->net, &e->graph, fc_engine_history(e), mid, lo, hi, NULL), 0);
    float top = 0;
    for (int i = 0; i < N; i++) top = mid[i] > top ? mid[i] : top;
    CHECK(top > 50);
    m->max_speed_mph = 50;
    CHECK_EQ_INT(fc_model_forecast(m, e->net, &e->graph, fc_engine_history(e), mid, lo, hi, NULL), 0);
    int at_clamp = 0;
    for (int i = 0; i < N; i++) {
        CHECK(mid[i] <= 50 && hi[i] <= 50 && lo[i] <= mid[i] && hi[i] >= mid[i]);
        at_clamp += mid[i] == 50;
    }
    CHECK(at_clamp > 0);
    fc_engine_destroy(e);
}
