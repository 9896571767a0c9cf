#!/usr/bin/env bash
# Four benchmark runs at the same offered rate: resend share 0, 0.1, 0, 0.1 (interleaved against drift in machine load)
cd /work/wt-resend
n=0
( while true; do echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 10; done ) > /tmp/resend-bench/loadavg.txt &
sampler=$!
for share in 0 0.1 0 0.1; do
  n=$((n+1))
  out=e2e/target/bench-resend/run-$n-share-$share
  echo "=== run $n share $share start $(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)"
  e2e/benchmark --rates 300 --step-seconds 30 --resend-share $share --set lifecycle.resend-cooldown=1s --out $out > /tmp/resend-bench/run-$n.log 2>&1
  echo "=== run $n share $share end $(date -u +%H:%M:%S) rc=$? $(cut -d' ' -f1-3 /proc/loadavg)"
done
kill $sampler
