# grow.py - python3 growing a list of small objects (pymalloc's arenas).
import os, sys, time
print(os.getpid(), flush=True)
kept = []
while True:
    kept.extend(str(i) * 3 for i in range(20000))
    time.sleep(0.1)
