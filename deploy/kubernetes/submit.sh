#!/usr/bin/env bash
# Submit one sharded run to Kubernetes: the shards' Indexed Job, then, once every shard finished, the merge.
#   IMAGE=registry.example.org/ecom-privacy:1.0 deploy/kubernetes/submit.sh
# Exit: the merge's exit code (the run's: 0, 1, or 2 for a plan with changes).
set -euo pipefail
: "${IMAGE:?set IMAGE to an image with ecom-privacy and a Chromium installed}"
export IMAGE RUN_ID="${RUN_ID:-$(date -u +%Y%m%dt%H%M%Sz)}"  # lower case: part of the Job names
here="$(cd "$(dirname "$0")" && pwd)"
render() { sed -e "s|\${RUN_ID}|${RUN_ID}|g" -e "s|\${IMAGE}|${IMAGE}|g" "$1"; }

# Until the Job is Complete, or Failed (a shard failed all its tries): the merge runs either way.
wait_for_end() {
    local deadline=$((SECONDS + $2))
    until kubectl get "job/$1" -o jsonpath='{.status.conditions[?(@.status=="True")].type}' | grep -Eq 'Complete|Failed'; do
        if ((SECONDS > deadline)); then echo "job/$1 still running after $2 s" >&2; exit 1; fi
        sleep 15
    done
}

render "$here/shards-job.yaml" | kubectl apply -f -
wait_for_end "ecom-privacy-shards-${RUN_ID}" 21600
render "$here/merge-job.yaml" | kubectl apply -f -
wait_for_end "ecom-privacy-merge-${RUN_ID}" 1800
kubectl logs "job/ecom-privacy-merge-${RUN_ID}"
succeeded="$(kubectl get "job/ecom-privacy-merge-${RUN_ID}" -o jsonpath='{.status.succeeded}')"
if [[ "$succeeded" == "1" ]]; then exit 0; fi
pod="$(kubectl get pods -l "job-name=ecom-privacy-merge-${RUN_ID}" -o jsonpath='{.items[0].metadata.name}')"
exit "$(kubectl get pod "$pod" -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}')"
