#!/usr/bin/env python3
# bench/rss.py CMD...: runs CMD, samples its resident memory (VmRSS) every 10 ms, prints a
# timeline (every 0.25 s) and the peak: where in a build the memory is, not only how much.
# Linux only (/proc). Example: SOURCE_DATE_EPOCH=1796083200 bench/rss.py target/release/datto build
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
t0 = time.time(); peak = 0; last = -1; samples = []
while p.poll() is None:
    try:
        with open(f'/proc/{p.pid}/status') as f:
            for l in f:
                if l.startswith('VmRSS'):
                    kb = int(l.split()[1]); peak = max(peak, kb)
                    t = time.time() - t0
                    samples.append((t, kb))
    except Exception: pass
    time.sleep(0.01)
step = 0.25; nxt = 0
for t, kb in samples:
    if t >= nxt:
        print(f'{t:6.2f}s {kb/1024:7.0f} MB'); nxt += step
print(f'peak {peak/1024:.0f} MB, {time.time()-t0:.2f} s, exit {p.returncode}')
