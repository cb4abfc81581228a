{{- define "kiln.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kiln.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kiln.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "kiln.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "api") */}}
{{- define "kiln.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kiln.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "kiln.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "kiln.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kiln.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The chart's own Secret holds whatever is given as a value rather than as an existing Secret. */}}
{{- define "kiln.secretName" -}}
{{ include "kiln.fullname" . }}
{{- end -}}

{{- define "kiln.authSecret" -}}
{{ .Values.auth.existingSecret | default (include "kiln.secretName" .) }}
{{- end -}}
{{- define "kiln.databaseSecret" -}}
{{ .Values.database.existingSecret | default (include "kiln.secretName" .) }}
{{- end -}}
{{- define "kiln.s3Secret" -}}
{{ .Values.s3.existingSecret | default (include "kiln.secretName" .) }}
{{- end -}}
{{- define "kiln.temporalApiKeySecret" -}}
{{ .Values.temporal.apiKey.existingSecret | default (include "kiln.secretName" .) }}
{{- end -}}

{{- define "kiln.hasTemporalApiKey" -}}
{{- if or .Values.temporal.apiKey.value .Values.temporal.apiKey.existingSecret }}true{{ end -}}
{{- end -}}

{{/* Checks that what every process needs is there; fails the render with the value to set. */}}
{{- define "kiln.validate" -}}
{{- if not (or .Values.database.url .Values.database.existingSecret) -}}
{{- fail "database.url or database.existingSecret is required (Kiln's PostgreSQL)" -}}
{{- end -}}
{{- if not .Values.s3.endpoint -}}
{{- fail "s3.endpoint is required: pods share artifacts through S3 or MinIO" -}}
{{- end -}}
{{- if not (or .Values.auth.existingSecret (and .Values.auth.adminToken .Values.auth.serviceToken .Values.auth.secretKey)) -}}
{{- fail "auth.adminToken, auth.serviceToken and auth.secretKey, or auth.existingSecret, are required" -}}
{{- end -}}
{{- if and (not .Values.s3.existingSecret) (not (and .Values.s3.accessKey .Values.s3.secretKey)) -}}
{{- fail "s3.accessKey and s3.secretKey, or s3.existingSecret, are required" -}}
{{- end -}}
{{- end -}}

{{/* Environment shared by every Kiln container. */}}
{{- define "kiln.env" -}}
- name: KILN_ALLOW_USER_CODE
  value: {{ .Values.userCode.allow | quote }}
- name: KILN_USER_CODE_ROLES
  value: {{ .Values.userCode.roles | quote }}
- name: TEMPORAL_ADDRESS
  value: {{ .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
{{- if .Values.temporal.tls.enabled }}
- name: TEMPORAL_TLS
  value: "true"
{{- end }}
{{- with .Values.temporal.tls.existingSecret }}
{{- if $.Values.temporal.tls.certKey }}
- name: TEMPORAL_TLS_CERT
  value: /etc/kiln/temporal-tls/{{ $.Values.temporal.tls.certKey }}
- name: TEMPORAL_TLS_KEY
  value: /etc/kiln/temporal-tls/{{ $.Values.temporal.tls.keyKey }}
{{- end }}
{{- if $.Values.temporal.tls.caKey }}
- name: TEMPORAL_TLS_CA
  value: /etc/kiln/temporal-tls/{{ $.Values.temporal.tls.caKey }}
{{- end }}
{{- end }}
{{- with .Values.temporal.tls.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ . | quote }}
{{- end }}
{{- if include "kiln.hasTemporalApiKey" . }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "kiln.temporalApiKeySecret" . }}
      key: {{ .Values.temporal.apiKey.key }}
{{- end }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "kiln.databaseSecret" . }}
      key: {{ .Values.database.key }}
- name: S3_ENDPOINT
  value: {{ .Values.s3.endpoint | quote }}
- name: S3_BUCKET
  value: {{ .Values.s3.bucket | quote }}
{{- with .Values.s3.region }}
- name: S3_REGION
  value: {{ . | quote }}
{{- end }}
- name: S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "kiln.s3Secret" . }}
      key: {{ .Values.s3.accessKeyKey }}
- name: S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "kiln.s3Secret" . }}
      key: {{ .Values.s3.secretKeyKey }}
- name: KILN_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: KILN_HOME
  value: /var/lib/kiln
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Volumes every Kiln pod mounts: a writable home (the root file system is read-only) and the Temporal TLS files. */}}
{{- define "kiln.volumes" -}}
- name: home
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- with .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ . }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "kiln.volumeMounts" -}}
- name: home
  mountPath: /var/lib/kiln
- name: tmp
  mountPath: /tmp
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  mountPath: /etc/kiln/temporal-tls
  readOnly: true
{{- end }}
{{- end -}}
