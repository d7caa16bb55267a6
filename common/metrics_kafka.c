/*
 * metrics_kafka.c - see metrics_kafka.h.
 */
#include "metrics_kafka.h"

#include "errstr.h"
#include "kafka_client.h"

rd_kafka_t *metrics_kafka_probe_new(const tm_config_t *conf, const char *client_id, char *errstr,
                                    size_t errstr_size)
{
    kafka_client_opts_t opts = {.client_id = client_id};
    return kafka_client_new(conf, RD_KAFKA_PRODUCER, &opts, errstr, errstr_size);
}

int metrics_kafka_reachable(rd_kafka_t *probe, char *why, size_t why_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(probe, 0, NULL, &md, METRICS_KAFKA_PROBE_MS);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        errstr_set(why, why_size, "Kafka not reachable: %s", rd_kafka_err2str(err));
        return 0;
    }
    int brokers = md->broker_cnt;
    rd_kafka_metadata_destroy(md);
    if (brokers <= 0) {
        errstr_set(why, why_size, "Kafka not reachable: no broker in the metadata");
        return 0;
    }
    return 1;
}
