#!/usr/bin/env bash
# t_link_malformed_secret: README ("HTTP", Credentials): query
# parameters whose name contains key, token, ... "are shown as *** in
# logs, error messages". A link API that echoes the stream's api_key into
# its Link URLs sends, once, a Link header that cannot be parsed (a '>'
# missing) and holds no well-formed rel="next": the run fails, as README
# says, with the header in its error. What must happen: the api_key's value
# is not in the log. What happened: the header is redacted as if it were
# one URL, parameters split at '&' and ';' only: the second link's first
# parameter ("rel=\"prev\", <...?api_key=VALUE") is read as the parameter
# "rel" and printed whole, the secret with it; and a user:password@ in a
# Link URL is not masked at all (the text does not start with a scheme).
# brokers: mock
. "$(dirname "$0")/lib_link_secret.sh"
link_secret_course '</items?page=1>; rel="prev", <http://bob:hunter2-pw@HOST/items?api_key=KEY&page=3; rel="next"' hunter2-pw
log "ok"
