{{/* Names: RELEASE-obscost-COMPONENT (RELEASE-COMPONENT when the release's name holds the
chart's), short enough for the 63 characters a name may have. */}}
{{- define "obscost.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "obscost.name" -}}
{{- printf "%s-%s" (include "obscost.fullname" .root) .component -}}
{{- end -}}

{{/* The labels a component's pods are selected by: they never change after install. */}}
{{- define "obscost.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "obscost.labels" -}}
{{ include "obscost.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "obscost.image" -}}
{{- printf "%s:%s" .repository .tag -}}
{{- end -}}

{{/* Prometheus's kubernetes_sd convention, for a scrape without the Operator. */}}
{{- define "obscost.scrapeAnnotations" -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end -}}

{{/* Where the CA Secret is mounted, and the file KAFKA_CA_FILE names. */}}
{{- define "obscost.kafkaCaDir" -}}/etc/obscost/kafka-ca{{- end -}}

{{- define "obscost.saslSecretName" -}}
{{- $sasl := .Values.kafka.sasl -}}
{{- if $sasl.passwordSecret.name -}}
{{- $sasl.passwordSecret.name -}}
{{- else -}}
{{- printf "%s-kafka" (include "obscost.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
The Kafka client's environment, the same for the observer and the aggregator: the names of
lib/flags/src/kafka-client.ts and kafka-security.ts. The password only from a Secret (the
services take it from the environment alone: a command line is readable in ps).
*/}}
{{- define "obscost.kafkaEnv" -}}
{{- $kafka := .Values.kafka -}}
- name: KAFKA_BROKERS
  value: {{ $kafka.brokers | quote }}
- name: KAFKA_EVENTS_TOPIC
  value: {{ $kafka.topic | quote }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ $kafka.securityProtocol | quote }}
{{- if and (ne $kafka.securityProtocol "PLAINTEXT") $kafka.caSecret.name }}
- name: KAFKA_CA_FILE
  value: {{ printf "%s/%s" (include "obscost.kafkaCaDir" .) $kafka.caSecret.key | quote }}
{{- end }}
{{- if eq $kafka.securityProtocol "SASL_SSL" }}
{{- if not $kafka.sasl.username }}
{{- fail "kafka.sasl.username is required with kafka.securityProtocol SASL_SSL" }}
{{- end }}
{{- if not (or $kafka.sasl.passwordSecret.name $kafka.sasl.password) }}
{{- fail "kafka.securityProtocol SASL_SSL needs kafka.sasl.passwordSecret.name (or kafka.sasl.password)" }}
{{- end }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ $kafka.sasl.username | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "obscost.saslSecretName" . }}
      key: {{ $kafka.sasl.passwordSecret.key }}
{{- end }}
{{- end -}}

{{/* The CA's volume and its mount, empty without a CA Secret. */}}
{{- define "obscost.kafkaCaVolumeMount" -}}
{{- if and (ne .Values.kafka.securityProtocol "PLAINTEXT") .Values.kafka.caSecret.name -}}
- name: kafka-ca
  mountPath: {{ include "obscost.kafkaCaDir" . }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "obscost.kafkaCaVolume" -}}
{{- if and (ne .Values.kafka.securityProtocol "PLAINTEXT") .Values.kafka.caSecret.name -}}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.caSecret.name }}
    items:
      - key: {{ .Values.kafka.caSecret.key }}
        path: {{ .Values.kafka.caSecret.key }}
{{- end }}
{{- end -}}
