// leak-cgo.go - the map leaker with cgo: its threads are pthreads, its C
// side mallocs from a thread of its own, and its Go heap leaks.
package main

/*
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *c_worker(void *arg)
{
	(void)arg;
	for (;;) {
		char *p = malloc(4096);
		memset(p, 1, 4096);
		usleep(1000);
	}
	return NULL;
}

static void start_c_worker(void)
{
	pthread_t t;
	pthread_create(&t, NULL, c_worker, NULL);
}
*/
import "C"

import (
	"fmt"
	"os"
	"time"
)

var cache = map[int][]byte{}

func main() {
	C.start_c_worker()
	fmt.Println(os.Getpid())
	for i := 0; ; i++ {
		b := make([]byte, 1024)
		b[0] = byte(i)
		cache[i] = b
		if i%400 == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
}
