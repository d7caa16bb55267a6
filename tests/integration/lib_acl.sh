# shellcheck shell=bash
# lib_acl.sh - helpers of the scenarios on a broker with ACLs and SASL
# (t_kafka_acl_*, t_kafka_quota_throttled, t_kafka_sasl_quiet_runs;
# sourced after lib.sh): a real Kafka node with a SASL_PLAINTEXT
# listener (PLAIN users admin and tm) and the StandardAuthorizer
# (allow.everyone.if.no.acl.found=false). The tests' own tools keep
# using $BOOTSTRAP (PLAINTEXT, principal ANONYMOUS, a super user);
# tidemark's programs use $SASL_BOOTSTRAP as User:tm, who is
# allowed everything on topics, groups and the cluster, until acl_deny.

# start_acl_broker [start_broker ARGS] - sets SASL_BOOTSTRAP.
start_acl_broker()
{
    start_broker --sasl-user admin:adminpw --sasl-user tm:tmpw \
        --config authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer \
        --config 'super.users=User:ANONYMOUS;User:admin' \
        --config allow.everyone.if.no.acl.found=false "$@"
    SASL_BOOTSTRAP=$(cat "$BROKER_DATA/sasl.bootstrap") || fail "no $BROKER_DATA/sasl.bootstrap"
    acl --add --allow-principal User:tm --operation All --topic '*' --group '*'
    acl --add --allow-principal User:tm --operation All --cluster
    log "SASL listener: $SASL_BOOTSTRAP"
}

# acl ARGS - kafka-acls (AclCommand) against the broker; fails if refused.
acl()
{
    kafka_tool org.apache.kafka.tools.AclCommand --force "$@" >>"$T_WORK/acl.log" 2>&1 ||
        fail "AclCommand $* failed (log: $T_WORK/acl.log)"
    log "acl: $*"
}
acl_deny() { acl --add --deny-principal User:tm "$@"; }
acl_undeny() { acl --remove --deny-principal User:tm "$@"; }

# sasl_config [PASSWORD] [write_config ARGS] - write_config for User:tm on
# the SASL listener.
sasl_config()
{
    local pw=${1:-tmpw}
    shift
    write_config "kafka: bootstrap.servers = $SASL_BOOTSTRAP" "kafka: security.protocol = SASL_PLAINTEXT" \
        "kafka: sasl.mechanisms = PLAIN" "kafka: sasl.username = tm" "kafka: sasl.password = $pw" "$@"
}
