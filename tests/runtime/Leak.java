// Leak.java - a JVM that leaks into an ArrayList for the runtime tests:
// CHUNK bytes every PERIOD ms, kept for ever.  Prints "ready" once running.
import java.util.ArrayList;

public class Leak {
	public static void main(String[] args) throws Exception {
		int chunk = args.length > 0 ? Integer.parseInt(args[0]) : 1 << 20;
		int period = args.length > 1 ? Integer.parseInt(args[1]) : 100;
		ArrayList<byte[]> kept = new ArrayList<>();
		System.out.println("ready");
		System.out.flush();
		for (;;) {
			byte[] b = new byte[chunk];
			b[0] = 1;
			kept.add(b);
			// Short-lived garbage too, so young collections happen.
			for (int i = 0; i < 64; i++) {
				byte[] g = new byte[16384];
				g[i] = (byte) i;
			}
			Thread.sleep(period);
		}
	}
}
