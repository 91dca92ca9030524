# syntax=docker/dockerfile:1
# The relay's image: built with the Maven wrapper, run as a non-root user on a Java 21 JRE.

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
# Dependencies first, so that a change to the sources does not download them again.
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline || true
COPY proto/ proto/
COPY db/ db/
COPY src/ src/
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:21-jre
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin ccx
WORKDIR /app
COPY --from=build /src/target/ccx-hook-service.jar /app/ccx-hook-service.jar
USER 10001
# gRPC, admin HTTP (/healthz, /readyz, /metrics), and mock-hooks when the image runs that.
EXPOSE 50051 9090 8080
# Ready means: database reachable, migrations applied, gRPC serving (bash's /dev/tcp: no curl needed).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${CCX_HOOK_ADMIN_PORT:-9090} && printf "GET /readyz HTTP/1.0\r\n\r\n" >&3 && head -n 1 <&3 | grep -q " 200 "'
# The relay's JVM options, as bin/ccx-hook-service gives them: the serial collector and a first
# metadata threshold of 128 MB (docs/BENCHMARKS.md, eighth session). CCX_HOOK_JAVA_OPTS comes after
# them and can undo them, e.g. CCX_HOOK_JAVA_OPTS="-XX:-UseSerialGC -XX:+UseG1GC"; JAVA_TOOL_OPTIONS
# is read before the command line, so it cannot. The shell only expands the variable: exec makes
# java the container's first process, which receives SIGTERM.
ENTRYPOINT ["/bin/sh", "-c", "exec java -XX:MaxRAMPercentage=75 -XX:+UseSerialGC -XX:MetaspaceSize=128m --enable-native-access=ALL-UNNAMED $CCX_HOOK_JAVA_OPTS -jar /app/ccx-hook-service.jar \"$@\"", "ccx-hook-service"]
CMD ["serve"]
