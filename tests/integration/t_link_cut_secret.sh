#!/usr/bin/env bash
# t_link_cut_secret: link_find() quotes the first 119 bytes of an
# unparsable Link header (q[120]) before redact_links(); a <target> whose
# password straddles the cut has no '@' (nor '>') left, url_redact() masks
# nothing and the password's head is logged (rv4).
# The header is now redacted whole, then cut. (Helper 169.)
# brokers: mock
. "$(dirname "$0")/lib_link_secret.sh"
link_secret_course '</items?page=1>; rel="prev"; title="first page of the items", junk-word, <http://bob:Zq7-longsecret-0123456789abcdefghijklmnopqrstuvwxyz@HOST/items?page=3>; rel="last"' 'Zq7-longsecret'
log "ok"
