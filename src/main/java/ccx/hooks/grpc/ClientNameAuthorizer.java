package ccx.hooks.grpc;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * {@code --tls-client-names}: mutual TLS proves that a CA signed the caller's certificate; this
 * checks that the certificate is also one of the callers named, by a DNS name of its subject
 * alternative names or its common name, else answers {@code PERMISSION_DENIED}. Without it, any
 * certificate that CA ever issued, for any service, could call the hooks.
 */
final class ClientNameAuthorizer implements ServerInterceptor {
  /** The subject alternative name type of a DNS name (RFC 5280, GeneralName dNSName [2]). */
  private static final int DNS_NAME = 2;

  private final Set<String> allowed;
  private final Refusals refusals;

  ClientNameAuthorizer(List<String> names, MeterRegistry metrics) {
    this.refusals = new Refusals(metrics, ClientNameAuthorizer.class);
    if (names.isEmpty()) {
      throw new IllegalArgumentException("no client name to check against");
    }
    // DNS names and common names compare without regard to case.
    this.allowed =
        names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    List<String> names =
        certificateNames(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    if (names.stream().anyMatch(n -> allowed.contains(n.toLowerCase(Locale.ROOT)))) {
      return next.startCall(call, headers);
    }
    String problem =
        names.isEmpty()
            ? "no client certificate"
            : "client certificate names " + names + " are not in --tls-client-names";
    return refusals.refuse(call, Status.PERMISSION_DENIED.withDescription(problem), problem);
  }

  /** The DNS names and common names of the peer's certificate; none without one. */
  static List<String> certificateNames(SSLSession session) {
    List<String> names = new ArrayList<>();
    if (session == null) {
      return names;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return names;
      }
      Collection<List<?>> alternatives = leaf.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> alternative : alternatives) {
          if (alternative.get(0) instanceof Integer type
              && type == DNS_NAME
              && alternative.get(1) instanceof String dns) {
            names.add(dns);
          }
        }
      }
      for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          names.add(rdn.getValue().toString());
        }
      }
    } catch (SSLPeerUnverifiedException | CertificateParsingException | InvalidNameException e) {
      // No certificate, or one whose names cannot be read: it names no one.
    }
    return names;
  }
}
