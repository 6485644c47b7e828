// leak.go - a Go service whose map is never cleaned: memtop's runtimes test
// watches its heap grow.  Prints its PID, then leaks about 4 MB/s.
package main

import (
	"fmt"
	"os"
	"time"
)

var cache = map[int][]byte{}

func main() {
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
