// Leak.java - a JVM leaking into an ArrayList: memtop's runtimes test
// watches the Java heap grow.  Prints its PID, then leaks about 4 MB/s.
import java.util.ArrayList;

public class Leak {
	public static void main(String[] args) throws Exception {
		ArrayList<byte[]> kept = new ArrayList<>();
		System.out.println(ProcessHandle.current().pid());
		for (int i = 0;; i++) {
			byte[] b = new byte[1024];
			b[0] = (byte)i;
			kept.add(b);
			if (i % 400 == 0)
				Thread.sleep(100);
		}
	}
}
