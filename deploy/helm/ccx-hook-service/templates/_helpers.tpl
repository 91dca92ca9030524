{{/* Names and labels, the way `helm create` writes them. */}}

{{- define "ccx-hook-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ccx-hook-service.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ccx-hook-service.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "ccx-hook-service.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "ccx-hook-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ccx-hook-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ccx-hook-service.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "ccx-hook-service.secretName" -}}
{{- default (include "ccx-hook-service.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/*
The longest orderly stop, from ccx.hooks.Relay.close and OutboxDrainer.close: the gRPC server waits
5 s for calls in flight (then 5 s more after cancelling them); the drainer's loop is joined within
--poll-interval + 5 s (6 s by default); deliveries in flight get --delivery-timeout + 2 s, and
those interrupted then 5 s more to record their attempt. That is 23 s + --delivery-timeout, after
the preStop pause; 5 s more covers the connection pools and the JVM's exit. A pod killed before
that loses nothing (its leases expire and another relay delivers), but its rows wait for the lease.
*/}}
{{- define "ccx-hook-service.terminationGracePeriodSeconds" -}}
{{- if .Values.terminationGracePeriodSeconds }}
{{- .Values.terminationGracePeriodSeconds }}
{{- else }}
{{- add .Values.lifecycle.preStopSleepSeconds .Values.relay.deliveryTimeoutSeconds 23 5 }}
{{- end }}
{{- end }}

{{/* Options that carry secrets: only ever read from the Secret, never from values. */}}
{{- define "ccx-hook-service.secretOptions" -}}
database-url signing-secret hook-token client-token
{{- end }}

{{/*
A key of relay.options as the option it sets: database_url, DATABASE-URL and CCX_HOOK_DATABASE_URL
all set database-url, so each is checked as that.
*/}}
{{- define "ccx-hook-service.optionName" -}}
{{- . | lower | replace "_" "-" | trimPrefix "ccx-hook-" -}}
{{- end }}

{{/* The options the chart sets itself, each with the value that sets it. */}}
{{- define "ccx-hook-service.chartOptions" -}}
hook-url: relay.hookUrl
grpc-port: service.grpcPort
admin-port: service.adminPort
delivery-timeout: relay.deliveryTimeoutSeconds
log-format: relay.logFormat
allow-unauthenticated: auth.allowUnauthenticated
tls-cert: tls.existingSecret
tls-key: tls.existingSecret
tls-client-ca: tls.clientAuth
{{- end }}

{{/* The pod's and container's security settings, shared by the relay and the migration Job. */}}
{{- define "ccx-hook-service.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsUser }}
fsGroup: {{ .Values.securityContext.runAsUser }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "ccx-hook-service.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end }}

{{/* The database URL, the one secret both the relay and the migration Job need. */}}
{{- define "ccx-hook-service.databaseEnv" -}}
- name: CCX_HOOK_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "ccx-hook-service.secretName" . }}
      key: {{ .Values.secrets.keys.databaseUrl }}
{{- end }}

{{- define "ccx-hook-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ccx-hook-service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
