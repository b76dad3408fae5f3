#!/bin/sh
# The city pipeline's hourly loop, as the compose service "city" runs it in the image:
# fetch the live feeds, then compute every day of the last 8 whose inputs are new or
# changed (the watermarks skip the others). A failed feed or day is logged and retried
# an hour later; the loop never stops on it. CITY_HOURLY_ONCE=1 runs one round.
set -u
while :; do
    entrepot city collect || echo "city collect failed (exit $?): retried in an hour" >&2
    entrepot city run --since "$(date -u -d '-8 day' +%F)" \
        || echo "city run failed (exit $?): see 'entrepot city status --failed'" >&2
    [ "${CITY_HOURLY_ONCE:-0}" = 1 ] && break
    sleep "${CITY_HOURLY_SECONDS:-3600}"
done
