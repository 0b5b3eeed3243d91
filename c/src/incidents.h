/* incidents.h — flowcast.incidents/1 (docs/FORMATS.md): the incidents in force on a network at
 * an instant (crashes, stalled vehicles, roadwork), each at one station. Parsed and validated
 * against a loaded network, then written back in one canonical form, so that a feed server and
 * a page read exactly the same document. Knows nothing of the engine: it takes the network.
 *
 * Incidents travel in a document of their own rather than in snapshots: the snapshot parser's
 * fast path has a strict contract (whatever it does not decide goes to the reference parser,
 * and differential tests compare both), and incidents change a few times an hour, not every
 * 30 seconds. */
#ifndef FC_INCIDENTS_H
#define FC_INCIDENTS_H
#include <stddef.h>
#include "flowcast.h"
#include "network.h"

#define FC_INCIDENTS_MAX 1000u        /* incidents in one document: far beyond a city's worst hour */
#define FC_INCIDENT_TEXT_MAX 160      /* description bytes: one line a list or a map label can show */

/* Validates a flowcast.incidents/1 document of len bytes (at most max_bytes) against net and
 * writes its canonical form into out[cap]: the known fields only, in a fixed order, `lanes`
 * filled in from the station when absent. With decoded = 1 each incident also gets
 * `sensor_index`, `start_ms` and `end_ms` (null when unknown) and the document `ts_ms`: the
 * form a JavaScript caller reads. *written gets the length (without the NUL that follows it)
 * even when cap is too small (FC_E_ARG: call again with *written + 1 bytes).
 * Errors name the field in msg: FC_E_TOO_LARGE, FC_E_ENCODING, FC_E_JSON, FC_E_SCHEMA,
 * FC_E_NETWORK_ID, FC_E_FIELD (missing, mistyped or duplicated field, unknown kind, duplicate
 * incident id, bad description), FC_E_TIMESTAMP, FC_E_NOT_FOUND (unknown sensor), FC_E_RANGE
 * (lanes, too many incidents, an end not after its start, a start after the document's ts). */
fc_status fc_incidents_parse(const fc_network *net, const char *json, size_t len, size_t max_bytes,
                             int decoded, char *out, size_t cap, size_t *written, char *msg,
                             size_t msg_cap);

#endif
