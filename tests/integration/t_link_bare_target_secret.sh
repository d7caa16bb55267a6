#!/usr/bin/env bash
# t_link_bare_target_secret: as t_link_malformed_secret (a link API that
# echoes the stream's credentials into its Link URLs sends a Link header
# that cannot be parsed), but the malformed link is a target sent without
# its angle brackets (an API that writes `Link: URL; rel="next"`), after a
# well-formed first one. The error quoted the text between targets as
# url_redact() takes text that is not a URL, which masks query values but
# no user:password@ inside it: the password was logged. Each word of that
# text is now redacted on its own. (Helper 166.)
# brokers: mock
. "$(dirname "$0")/lib_link_secret.sh"
link_secret_course '</items?page=1>; rel="prev", http://bob:hunter2-pw@HOST/items?api_key=KEY&page=3; rel="next"' hunter2-pw
log "ok"
