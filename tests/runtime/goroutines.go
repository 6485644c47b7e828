// goroutines.go - 2,000 goroutines parked on a channel, each with a stack
// of its own inside the Go heap.
package main

import (
	"fmt"
	"os"
	"time"
)

func park(depth int, c chan int) int {
	var pad [256]byte
	pad[depth%256] = byte(depth)
	if depth > 0 {
		return park(depth-1, c) + int(pad[0])
	}
	return <-c
}

func main() {
	c := make(chan int)
	for i := 0; i < 2000; i++ {
		go park(8, c)
	}
	fmt.Println(os.Getpid())
	for {
		time.Sleep(time.Hour)
	}
}
