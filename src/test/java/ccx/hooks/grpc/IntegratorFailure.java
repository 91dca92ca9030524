package ccx.hooks.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;

/**
 * Ways an integrator gives no usable answer (DESIGN section 3): each arranges itself on a
 * MockWebServer and knows the words the relay must use to say which it was. Every failing answer
 * carries {@code "approved": true}, so a relay that reads a failure's body would approve.
 */
enum IntegratorFailure {
  HTTP_500("HTTP 500") {
    @Override
    HttpUrl arrange(MockWebServer integrator) {
      return answering(integrator, 500);
    }
  },
  HTTP_429("HTTP 429") {
    @Override
    HttpUrl arrange(MockWebServer integrator) {
      return answering(integrator, 429);
    }
  },
  REDIRECT("HTTP 302") {
    @Override
    HttpUrl arrange(MockWebServer integrator) {
      integrator.enqueue(
          new MockResponse.Builder()
              .code(302)
              .setHeader("Location", integrator.url("/elsewhere").toString())
              .body(APPROVED)
              .build());
      integrator.enqueue(new MockResponse.Builder().code(200).body(APPROVED).build());
      return integrator.url("/");
    }
  },
  TIMEOUT("timeout") {
    @Override
    HttpUrl arrange(MockWebServer integrator) {
      integrator.enqueue(
          new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
      return integrator.url("/");
    }
  },
  NOT_JSON("not JSON") {
    @Override
    HttpUrl arrange(MockWebServer integrator) {
      integrator.enqueue(
          new MockResponse.Builder()
              .code(200)
              .setHeader("Content-Type", "text/html")
              .body("<html><body>approved: true</body></html>")
              .build());
      return integrator.url("/");
    }

    @Override
    boolean failsNoticeHooks() {
      return false; // a hook that cannot reject succeeds on any 2xx
    }
  },
  REFUSED("connection failed") {
    @Override
    HttpUrl arrange(MockWebServer integrator) {
      return refusingUrl();
    }
  };

  static final String APPROVED = "{\"approved\": true, \"work_id\": \"w-from-failure\"}";

  /** What the gRPC description or rejection reason must contain. */
  final String cause;

  IntegratorFailure(String cause) {
    this.cause = cause;
  }

  /** Makes the integrator fail this way; returns the hook URL the relay should use. */
  abstract HttpUrl arrange(MockWebServer integrator);

  boolean failsNoticeHooks() {
    return true;
  }

  private static HttpUrl answering(MockWebServer integrator, int code) {
    integrator.enqueue(new MockResponse.Builder().code(code).body(APPROVED).build());
    return integrator.url("/");
  }

  /** A local URL on which nothing listens: connections to it are refused. */
  static HttpUrl refusingUrl() {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpUrl.get("http://127.0.0.1:" + port + "/");
  }
}
