// gort.go - a Go program for the runtime tests.
//
//	gort leak ADDR   serves net/http/pprof, expvar and a Prometheus-style
//	                 /metrics on ADDR (127.0.0.1:0, or unix:/PATH) while a
//	                 map grows; prints "listen ADDR", then for every request
//	                 "req PATH WALLNS_BEFORE HEAPALLOC_BEFORE WALLNS_AFTER
//	                 HEAPALLOC_AFTER": its own runtime.ReadMemStats around it.
//	gort idle ADDR   allocates 200 MB, drops it, collects, and serves the
//	                 same: a heap mostly idle (HeapIdle high, HeapAlloc low).
package main

import (
	_ "expvar"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

var (
	leak   = map[int][]byte{}
	leakMu sync.Mutex
	out    sync.Mutex
)

// bracket prints the program's own HeapAlloc before and after each request.
func bracket(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		t0 := time.Now().UnixNano()
		h.ServeHTTP(w, r)
		runtime.ReadMemStats(&b)
		t1 := time.Now().UnixNano()
		out.Lock()
		fmt.Printf("req %s %d %d %d %d\n", r.URL.Path, t0, a.HeapAlloc, t1, b.HeapAlloc)
		out.Unlock()
	})
}

// metrics writes runtime.MemStats with client_golang's metric names.
func metrics(w http.ResponseWriter, r *http.Request) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	g := func(name, help string, v uint64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
	}
	fmt.Fprintf(w, "# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.\n# TYPE go_gc_duration_seconds summary\n")
	fmt.Fprintf(w, "go_gc_duration_seconds{quantile=\"0\"} 0\ngo_gc_duration_seconds_sum %g\ngo_gc_duration_seconds_count %d\n",
		float64(m.PauseTotalNs)/1e9, m.NumGC)
	g("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and still in use.", m.HeapAlloc)
	g("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used.", m.HeapIdle)
	g("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", m.HeapInuse)
	g("go_memstats_heap_released_bytes", "Number of heap bytes released to OS.", m.HeapReleased)
	g("go_memstats_heap_sys_bytes", "Number of heap bytes obtained from system.", m.HeapSys)
	g("go_memstats_stack_inuse_bytes", "Number of bytes in use by the stack allocator.", m.StackInuse)
	g("go_memstats_sys_bytes", "Number of bytes obtained from system.", m.Sys)
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: gort leak|idle ADDR")
		os.Exit(2)
	}
	var l net.Listener
	var err error
	if strings.HasPrefix(os.Args[2], "unix:") {
		l, err = net.Listen("unix", strings.TrimPrefix(os.Args[2], "unix:"))
	} else {
		l, err = net.Listen("tcp", os.Args[2])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/metrics", metrics)
	switch os.Args[1] {
	case "leak":
		// About 1 MB/s in steps of 10 kB: HeapAlloc moves little
		// while one request is served.
		go func() {
			for i := 0; ; i++ {
				leakMu.Lock()
				leak[i] = make([]byte, 10240)
				leakMu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		}()
	case "idle":
		var keep [][]byte
		for i := 0; i < 200; i++ {
			b := make([]byte, 1<<20)
			for j := 0; j < len(b); j += 4096 {
				b[j] = 1
			}
			keep = append(keep, b)
		}
		keep = nil
		runtime.GC()
		runtime.GC()
	}
	fmt.Printf("listen %s\n", l.Addr())
	http.Serve(l, bracket(http.DefaultServeMux))
}
