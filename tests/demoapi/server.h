/*
 * server.h - the demo API's HTTP server (libmicrohttpd, one thread per
 * connection, 127.0.0.1 only) over a dataset_t.
 *
 * Owns: the daemon, the dataset handed to server_new, the mutex around
 * the dataset, the request counters and the pending injected faults.
 * server_new/server_destroy run on the main thread; the handlers run on
 * libmicrohttpd's threads and take the mutex.
 */
#ifndef TIDEMARK_DEMOAPI_SERVER_H
#define TIDEMARK_DEMOAPI_SERVER_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

/* Names and knobs of the API's surface; the strings must outlive the server. */
typedef struct {
    const char *stream; /* GET /<stream>, GET /<stream>/deleted */
    const char *id_field;
    const char *cursor_field;
    const char *cursor_param;
    const char *records_path; /* dotted: "result.items"; "" = a bare array */
    const char *page_param;
    const char *page_size_param;
    const char *deleted_param;
    long max_page_size;
    int date_cursor;             /* the cursor filter takes the parameter's UTC day */
    const char *cursor_timezone; /* ... or its day in this IANA zone (NULL: UTC) */
    const char *oauth2_client;   /* "ID:SECRET": tokens required (oauth.c); NULL: none */
    long oauth2_ttl_s;           /* expires_in of the tokens issued */
} server_conf_t;

typedef struct server server_t;

/*
 * Starts serving on 127.0.0.1:port (0 = any free port). Takes ownership of
 * ds, also on failure. Returns NULL with errstr filled on failure.
 */
server_t *server_new(const server_conf_t *conf, dataset_t *ds, uint16_t port, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/* The port actually bound. */
uint16_t server_port(const server_t *srv);

/* Stops the daemon (waits for requests in flight) and frees everything. */
void server_destroy(server_t *srv);

#endif
