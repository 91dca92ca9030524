package ccx.hooks.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The admin port on a real socket: read-only, and bound where it is told. */
class AdminServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  /** A server on a free loopback port, with an empty registry, not ready when {@code notReady}. */
  private static AdminServer onLoopback(Supplier<Optional<String>> notReady) {
    return AdminServer.start(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        notReady);
  }

  private HttpResponse<String> send(AdminServer admin, String method, String path)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void every_endpoint_answers_get_and_refuses_anything_else() throws Exception {
    try (AdminServer admin = onLoopback(() -> Optional.of("database unreachable"))) {
      assertThat(send(admin, "GET", "/healthz").statusCode()).isEqualTo(200);
      HttpResponse<String> readyz = send(admin, "GET", "/readyz");
      assertThat(readyz.statusCode()).isEqualTo(503);
      assertThat(readyz.body()).isEqualTo("not ready: database unreachable\n");
      assertThat(send(admin, "GET", "/metrics").statusCode()).isEqualTo(200);
      for (String path : new String[] {"/healthz", "/readyz", "/metrics"}) {
        for (String method : new String[] {"POST", "PUT", "DELETE"}) {
          HttpResponse<String> refused = send(admin, method, path);
          assertThat(refused.statusCode()).as(method + " " + path).isEqualTo(405);
          assertThat(refused.headers().firstValue("Allow")).contains("GET");
        }
      }
    }
  }

  @Test
  void it_listens_only_on_the_interface_it_is_given() throws Exception {
    try (AdminServer admin = onLoopback(Optional::empty)) {
      assertThat(admin.address().getAddress().isLoopbackAddress()).isTrue();
    }
  }
}
