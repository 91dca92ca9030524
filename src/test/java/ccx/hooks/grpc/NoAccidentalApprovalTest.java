package ccx.hooks.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import ccx.hooks.config.FailurePolicy;
import ccx.hooks.grpc.ApprovalRpc.Decision;
import ccx.hooks.testing.OutboxDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property the relay exists to keep: under {@code --pre-hook-failure} error or reject, only an
 * integrator's 2xx JSON object with {@code "approved": true} approves. An integrator that rejects,
 * fails, hangs or answers garbage never causes an approval.
 */
class NoAccidentalApprovalTest {
  private static final Duration PRE_HOOK_TIMEOUT = Duration.ofMillis(500);
  private static final String APPROVED = "{\"approved\": true, \"work_id\": \"w-1\"}";

  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();
  @RegisterExtension final IntegratorAndRelay fixture = IntegratorAndRelay.on(database);

  /** How the relay must take an answer under policy error. */
  enum Expected {
    /** A usable answer without {@code "approved": true}: approved=false with a reason. */
    REJECTION,
    /** No usable answer: UNAVAILABLE (under error) or approved=false (under reject). */
    FAILURE
  }

  /**
   * One bad answer.
   *
   * @param response what the integrator answers, or empty when it refuses the connection
   */
  record BadAnswer(String name, Optional<MockResponse> response, Expected expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static BadAnswer rejection(String body) {
    return new BadAnswer(
        "200 " + body, Optional.of(response(200, body).build()), Expected.REJECTION);
  }

  private static BadAnswer failure(String name, MockResponse.Builder response) {
    return new BadAnswer(name, Optional.of(response.build()), Expected.FAILURE);
  }

  private static MockResponse.Builder response(int code, String body) {
    return new MockResponse.Builder().code(code).body(body);
  }

  static List<BadAnswer> badAnswers() {
    List<BadAnswer> answers = new ArrayList<>();
    // JSON objects without a JSON true in "approved": the integrator's rejection.
    for (String body :
        List.of(
            "{\"approved\": false}",
            "{\"approved\": false, \"reason\": \"no\", \"work_id\": \"w-1\"}",
            "{}",
            "{\"work_id\": \"w-1\"}",
            "{\"approved\": \"true\"}",
            "{\"approved\": \"yes\"}",
            "{\"approved\": 1}",
            "{\"approved\": 1.0}",
            "{\"approved\": null}",
            "{\"approved\": [true]}",
            "{\"approved\": {\"value\": true}}",
            "{\"Approved\": true}",
            "{\"APPROVED\": true}",
            "{\"approved \": true}",
            "{\"result\": {\"approved\": true}}",
            "{\"is_approved\": true}",
            // A rejection whose work_id the post-hook would refuse: still a rejection.
            "{\"approved\": false, \"reason\": \"over quota\", \"work_id\": 42}",
            "{\"work_id\": {\"id\": \"w-1\"}}",
            "{\"approved\": \"true\", \"work_id\": \"w\\u0000\"}")) {
      answers.add(rejection(body));
    }
    // 2xx bodies that are not a JSON object.
    for (String body :
        List.of(
            "true",
            "\"true\"",
            "1",
            "null",
            "[]",
            "[{\"approved\": true}]",
            "<html><body>{\"approved\": true}</body></html>",
            "approved",
            "",
            " ",
            "{\"approved\": true",
            "{\"approved\": true}}",
            "{\"approved\": true} {\"approved\": true}",
            "{approved: true}",
            "{'approved': true}",
            "{\"approved\" = true}",
            "{\"approved\": true; \"work_id\": \"w-1\"}",
            ")]}'\n{\"approved\": true}",
            "{\"approved\": false, \"approved\": true}",
            "{\"approved\": null, \"approved\": true}")) {
      answers.add(failure("200 " + body.replace("\n", "\\n"), response(200, body)));
    }
    answers.add(failure("204 no content", new MockResponse.Builder().code(204)));
    // Non-2xx answers, each claiming approval in its body.
    for (int code : List.of(100, 300, 301, 302, 303, 304, 307, 308)) {
      answers.add(
          failure(
              code + " " + APPROVED,
              response(code, APPROVED).setHeader("Location", "http://127.0.0.1:1/approve")));
    }
    // A 4xx is the integrator saying no, whatever its body claims; 408 and 429 are no answer.
    for (int code : List.of(400, 401, 402, 403, 404, 409, 422)) {
      answers.add(
          new BadAnswer(
              code + " " + APPROVED,
              Optional.of(response(code, APPROVED).build()),
              Expected.REJECTION));
    }
    for (int code : List.of(408, 429, 500, 502, 503, 504)) {
      answers.add(failure(code + " " + APPROVED, response(code, APPROVED)));
    }
    // Answers that never arrive, arrive too late or too large.
    answers.add(
        failure(
            "no answer at all",
            new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE)));
    answers.add(
        failure(
            "approved after the timeout",
            response(200, APPROVED).headersDelay(3, TimeUnit.SECONDS)));
    answers.add(
        failure(
            "headers, then the approving body after the timeout",
            response(200, APPROVED).bodyDelay(3, TimeUnit.SECONDS)));
    answers.add(
        failure(
            "connection closed before the answer",
            new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket())));
    answers.add(
        failure(
            "approved in a body over 1 MiB",
            response(200, "{\"approved\": true, \"padding\": \"" + "x".repeat(1 << 20) + "\"}")));
    answers.add(new BadAnswer("connection refused", Optional.empty(), Expected.FAILURE));
    return answers;
  }

  static Stream<Arguments> cases() {
    return Stream.of(ApprovalRpc.values())
        .flatMap(
            rpc ->
                Stream.of(FailurePolicy.ERROR, FailurePolicy.REJECT)
                    .flatMap(
                        policy -> badAnswers().stream().map(a -> Arguments.of(rpc, policy, a))));
  }

  @ParameterizedTest(name = "{0} under {1}: {2}")
  @MethodSource("cases")
  void an_integrator_that_rejects_fails_hangs_or_answers_garbage_never_causes_an_approval(
      ApprovalRpc rpc, FailurePolicy policy, BadAnswer answer) {
    HttpUrl hookUrl = IntegratorFailure.refusingUrl();
    if (answer.response().isPresent()) {
      fixture.integrator().enqueue(answer.response().get());
      hookUrl = fixture.url();
    }
    fixture.start(hookUrl, policy, PRE_HOOK_TIMEOUT);

    String what = rpc + " under " + policy + " answered " + answer;
    Decision decision;
    try {
      decision = rpc.call(fixture.stub());
    } catch (StatusRuntimeException e) {
      assertThat(policy)
          .as(what + ": only policy error answers with an error")
          .isEqualTo(FailurePolicy.ERROR);
      assertThat(answer.expected())
          .as(what + ": an error for a usable answer")
          .isEqualTo(Expected.FAILURE);
      assertThat(e.getStatus().getCode()).as(what).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).as(what).startsWith(rpc.hook + " hook failed: ");
      return;
    }
    assertThat(decision.approved()).as(what + ": approved").isFalse();
    assertThat(decision.reason()).as(what + ": the reason of a rejection").isNotBlank();
    if (policy == FailurePolicy.ERROR) {
      assertThat(answer.expected())
          .as(what + ": a rejection for an answer that is not usable, under policy error")
          .isEqualTo(Expected.REJECTION);
    }
  }
}
