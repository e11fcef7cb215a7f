{{- define "lifeline.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "lifeline.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: lifeline
{{- end -}}

{{/* Selector labels of one app: (dict "root" $ "id" "tasks") */}}
{{- define "lifeline.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .id }}
{{- end -}}

{{- define "lifeline.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "lifeline.fullname" .)) -}}
{{- end -}}

{{- define "lifeline.daprApiTokenSecret" -}}
{{- printf "%s-dapr-api-token" (include "lifeline.fullname" .) -}}
{{- end -}}

{{- define "lifeline.appApiTokenSecret" -}}
{{- printf "%s-app-api-token" (include "lifeline.fullname" .) -}}
{{- end -}}

{{/* Name of an app's own resources (Deployment, Service, ServiceAccount, Secret): (dict "root" $ "id" "tasks") */}}
{{- define "lifeline.appName" -}}
{{- printf "%s-%s" (include "lifeline.fullname" .root) .id -}}
{{- end -}}

{{/* The ServiceAccount an app runs as: its own, or serviceAccount.name with create: false. */}}
{{- define "lifeline.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create -}}
{{- include "lifeline.appName" . -}}
{{- else -}}
{{- .root.Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding one app's own credentials (its database URL and password, its secretEnv keys):
<release>-<app>, or secrets.existingSecret, which holds every app's. */}}
{{- define "lifeline.appSecretName" -}}
{{- .root.Values.secrets.existingSecret | default (include "lifeline.appName" .) -}}
{{- end -}}

{{/* The Dapr Configuration of one app: the common one plus a secret scope allowing its own Secret only. */}}
{{- define "lifeline.appDaprConfigName" -}}
{{- printf "%s-%s" (include "lifeline.daprConfigName" .root) .id -}}
{{- end -}}

{{/* The port of a "host:port" value, or the default given: (dict "address" "redis:6379" "default" 6379) */}}
{{- define "lifeline.portOf" -}}
{{- $parts := splitList ":" .address -}}
{{- if gt (len $parts) 1 }}{{ last $parts | int }}{{ else }}{{ .default }}{{ end -}}
{{- end -}}

{{- define "lifeline.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{- define "lifeline.migrateImage" -}}
{{- printf "%s/migrate:%s" .Values.image.repositoryPrefix (include "lifeline.imageTag" .) -}}
{{- end -}}

{{/* The app's settings: appDefaults overlaid with apps.<id>. (dict "root" $ "id" "tasks") */}}
{{- define "lifeline.app" -}}
{{- $app := index .root.Values.apps .id | default dict -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.appDefaults) (deepCopy $app)) -}}
{{- end -}}

{{/* Enabled app ids, sorted, one per line. */}}
{{- define "lifeline.appIds" -}}
{{- range $id := keys .Values.apps | sortAlpha -}}
{{- $app := include "lifeline.app" (dict "root" $ "id" $id) | fromYaml -}}
{{- if $app.enabled }}
{{ $id }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "lifeline.brokerType" -}}
{{- $type := .Values.broker.type -}}
{{- if not (has $type (list "redis" "kafka" "rabbitmq")) -}}
{{- fail (printf "broker.type must be redis, kafka or rabbitmq (got %q)" $type) -}}
{{- end -}}
{{- $type -}}
{{- end -}}

{{/* A Dapr resource file shipped with the repo (components/dapr, linked as files/dapr), parsed. */}}
{{- define "lifeline.daprFile" -}}
{{- $text := .root.Files.Get (printf "files/dapr/%s" .path) -}}
{{- if not $text -}}
{{- fail (printf "charts/lifeline/files/dapr/%s not found (files/dapr links to components/dapr)" .path) -}}
{{- end -}}
{{- $text -}}
{{- end -}}

{{- define "lifeline.daprConfigName" -}}
{{- (include "lifeline.daprFile" (dict "root" . "path" "common/configuration.yaml") | fromYaml).metadata.name -}}
{{- end -}}

{{- define "lifeline.databaseUrl" -}}
{{- $db := .root.Values.database -}}
{{- $url := printf "postgres://%s:%s@%s:%v/%s" (.user | urlquery) (.password | urlquery) $db.host $db.port $db.name -}}
{{- if $db.params }}{{ $url }}?{{ $db.params }}{{ else }}{{ $url }}{{ end -}}
{{- end -}}
