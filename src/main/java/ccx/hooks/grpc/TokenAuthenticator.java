package ccx.hooks.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * {@code --client-token}: a call must carry {@code authorization: Bearer <token>} with one of the
 * configured tokens, else it is answered {@code UNAUTHENTICATED} before any of it is read.
 *
 * <p>Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, every configured
 * token each time: the time a check takes says nothing about how much of a guess was right, nor
 * which token matched, nor how long the tokens are.
 */
final class TokenAuthenticator implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";

  private final List<byte[]> digests;
  private final Refusals refusals;

  TokenAuthenticator(List<String> tokens, MeterRegistry metrics) {
    this.refusals = new Refusals(metrics, TokenAuthenticator.class);
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("no token to check against");
    }
    this.digests = tokens.stream().map(TokenAuthenticator::sha256).toList();
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String header = headers.get(AUTHORIZATION);
    String problem;
    if (header == null) {
      problem = "no authorization metadata";
    } else if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      problem = "authorization metadata is not 'Bearer <token>'";
    } else if (!accepted(header.substring(BEARER.length()).trim())) {
      problem = "the bearer token is not one of --client-token";
    } else {
      return next.startCall(call, headers);
    }
    return refusals.refuse(
        call,
        Status.UNAUTHENTICATED.withDescription(
            problem + "; send the metadata 'authorization: Bearer <token>'"),
        problem);
  }

  private boolean accepted(String token) {
    byte[] presented = sha256(token);
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(digest, presented);
    }
    return match;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
