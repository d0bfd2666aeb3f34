// Checks rendered Kubernetes manifests (kubectl kustomize output) against
// the Kubernetes schemas (npm kubernetes-models and its CRD packages) and
// against what fxohlc's deployments promise (probes, limits, security
// contexts, a PodDisruptionBudget per workload, pinned images, no secret
// values, the cores' stable consumer names, network policies).
//
//   node validate.mjs NODE_MODULES OVERLAY_NAME RENDERED.yaml
// Prints each failure and exits 1 when there is any.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modulesArg, overlay, file] = process.argv.slice(2);
const nodeModules = path.resolve(modulesArg ?? ".");
if (!file) {
  console.error("usage: node validate.mjs NODE_MODULES OVERLAY_NAME RENDERED.yaml");
  process.exit(2);
}
const require = createRequire(path.join(nodeModules, "noop.js"));
const YAML = require("yaml");

const failures = [];
const fail = (obj, msg) => failures.push(`${overlay}: ${obj ? `${obj.kind}/${obj.metadata?.name}: ` : ""}${msg}`);

const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"))
  .map((d) => d.toJS())
  .filter((d) => d);

// ---- the schemas ----------------------------------------------------------
// apiVersion → the package folder holding its models.
function modelFile(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}.js`;
  if (group === "keda.sh") return `@kubernetes-models/keda/${apiVersion}/${kind}.js`;
  if (group === "postgresql.cnpg.io") return `@kubernetes-models/cloudnative-pg/${apiVersion}/${kind}.js`;
  return group ? `kubernetes-models/${group}/${version}/${kind}.js` : `kubernetes-models/${version}/${kind}.js`;
}

for (const obj of docs) {
  let Model;
  try {
    const mod = await import(pathToFileURL(path.join(nodeModules, modelFile(obj.apiVersion, obj.kind))).href);
    Model = mod[obj.kind] ?? mod.default;
  } catch (e) {
    fail(obj, `no schema for ${obj.apiVersion} ${obj.kind} (${e.message})`);
    continue;
  }
  try {
    new Model(obj).validate();
  } catch (e) {
    fail(obj, `schema: ${e.message}`);
  }
}

// ---- invariants -------------------------------------------------------------
const byKind = (kind) => docs.filter((d) => d.kind === kind);
const workloads = docs.filter((d) => ["Deployment", "StatefulSet", "DaemonSet"].includes(d.kind));
const matches = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);

for (const w of workloads) {
  const pod = w.spec.template;
  const podSec = pod.spec.securityContext ?? {};
  if (podSec.runAsNonRoot !== true) fail(w, "pod securityContext.runAsNonRoot is not true");
  if (podSec.seccompProfile?.type !== "RuntimeDefault") fail(w, "pod seccompProfile is not RuntimeDefault");
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    const where = `container ${c.name}`;
    if (!c.livenessProbe) fail(w, `${where}: no livenessProbe`);
    if (!c.readinessProbe) fail(w, `${where}: no readinessProbe`);
    for (const part of ["requests", "limits"])
      for (const r of ["cpu", "memory"])
        if (!c.resources?.[part]?.[r]) fail(w, `${where}: no resources.${part}.${r}`);
    const sec = c.securityContext ?? {};
    if (sec.allowPrivilegeEscalation !== false) fail(w, `${where}: allowPrivilegeEscalation is not false`);
    if (sec.readOnlyRootFilesystem !== true) fail(w, `${where}: readOnlyRootFilesystem is not true`);
    if (!(sec.capabilities?.drop ?? []).includes("ALL")) fail(w, `${where}: capabilities are not dropped (ALL)`);
    if (sec.privileged) fail(w, `${where}: privileged`);
    const image = c.image ?? "";
    const tag = image.includes("@sha256:") ? "digest" : image.split("/").pop().split(":")[1];
    if (!tag || tag === "latest") fail(w, `${where}: image ${image} is not pinned (a tag or a digest)`);
  }
  if (!byKind("PodDisruptionBudget").some((p) => matches(p.spec.selector, pod.metadata.labels)))
    fail(w, "no PodDisruptionBudget selects its pods");
}

// Secrets: generated from the repo, so they must hold no credentials.
for (const s of byKind("Secret")) {
  for (const [k, v] of Object.entries({ ...(s.data ?? {}), ...(s.stringData ?? {}) })) {
    const text = s.data?.[k] !== undefined ? Buffer.from(v, "base64").toString() : String(v);
    if (/password|passwd|secret|token/i.test(k) || /:\/\/[^/@:]+:[^/@]+@/.test(text))
      fail(s, `key ${k} holds a credential: secrets are created in the cluster, never kept in the repo`);
  }
}

// Everything a pod reads from a ConfigMap or Secret is in the render, or is
// made by an operator in it (CloudNativePG's <cluster>-app).
const names = (kind) => new Set(byKind(kind).map((d) => d.metadata.name));
const configMaps = names("ConfigMap");
const secrets = new Set([...names("Secret"), ...byKind("Cluster").map((c) => `${c.metadata.name}-app`)]);
for (const w of workloads)
  for (const c of w.spec.template.spec.containers) {
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef && !configMaps.has(e.configMapRef.name)) fail(w, `envFrom ConfigMap ${e.configMapRef.name} missing`);
      if (e.secretRef && !secrets.has(e.secretRef.name)) fail(w, `envFrom Secret ${e.secretRef.name} missing`);
    }
    for (const e of c.env ?? []) {
      const s = e.valueFrom?.secretKeyRef, m = e.valueFrom?.configMapKeyRef;
      if (s && !secrets.has(s.name)) fail(w, `${e.name} reads Secret ${s.name}, which nothing creates`);
      if (m && !configMaps.has(m.name)) fail(w, `${e.name} reads ConfigMap ${m.name}, which nothing creates`);
    }
  }

// fx-core: a StatefulSet behind a headless Service, its consumer name its pod name.
const core = workloads.find((w) => w.metadata.name === "fx-core");
if (!core || core.kind !== "StatefulSet") fail(null, "fx-core is not a StatefulSet");
else {
  const headless = byKind("Service").find((s) => s.metadata.name === core.spec.serviceName);
  if (!headless || headless.spec.clusterIP !== "None") fail(core, `serviceName ${core.spec.serviceName} is not a headless Service`);
  const env = core.spec.template.spec.containers[0].env ?? [];
  if (env.find((e) => e.name === "REDIS_CONSUMER")?.valueFrom?.fieldRef?.fieldPath !== "metadata.name")
    fail(core, "REDIS_CONSUMER is not the pod's name");
  const http = core.spec.template.spec.containers[0];
  if (http.livenessProbe?.httpGet?.path !== "/livez" || http.readinessProbe?.httpGet?.path !== "/readyz")
    fail(core, "probes are not /livez and /readyz");
  if ((core.spec.template.spec.terminationGracePeriodSeconds ?? 30) < 30) fail(core, "grace period under 30 s");
  const wantCores = overlay === "production" ? 2 : 1;
  if ((core.spec.replicas ?? 1) < wantCores) fail(core, `fewer than ${wantCores} replicas`);
  // The bridges find every core through the headless Service's DNS name.
  const bridgeConfig = byKind("ConfigMap").find((m) => m.metadata.name.startsWith("fx-bridge-config"));
  for (const [key, port] of [["FX_RPC_URL", 5555], ["FX_FEED_URL", 5556]])
    if (bridgeConfig?.data?.[key] !== `dns+tcp://${core.spec.serviceName}:${port}`)
      fail(bridgeConfig, `${key} is ${bridgeConfig?.data?.[key]}, not dns+tcp://${core.spec.serviceName}:${port}`);
}

for (const name of ["fx-bridge", "fx-redis"])
  if (!workloads.some((w) => w.metadata.name === name)) fail(null, `no ${name}`);
if (!byKind("HorizontalPodAutoscaler").some((h) => h.spec.scaleTargetRef.name === "fx-bridge")) fail(null, "no HPA for fx-bridge");
if (!byKind("Ingress").length) fail(null, "no Ingress");

// Network policies: everything closed by default; core RPC only from bridges.
const policies = byKind("NetworkPolicy");
if (!policies.some((p) => Object.keys(p.spec.podSelector ?? {}).length === 0 && p.spec.policyTypes.includes("Ingress") && !p.spec.ingress))
  fail(null, "no default-deny ingress NetworkPolicy");
const corePolicy = policies.find((p) => p.spec.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "fx-core");
const rpcRule = corePolicy?.spec.ingress?.find((r) => (r.ports ?? []).some((p) => p.port === 5555));
if (!rpcRule || rpcRule.from?.length !== 1 || rpcRule.from[0].podSelector?.matchLabels?.["app.kubernetes.io/name"] !== "fx-bridge")
  fail(corePolicy, "core RPC is not limited to the bridges");
const dbPolicy = policies.find((p) =>
  overlay === "production"
    ? p.spec.podSelector?.matchLabels?.["cnpg.io/cluster"]
    : p.spec.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "fx-postgres");
if (!dbPolicy?.spec.ingress?.some((r) => r.from?.some((f) => f.podSelector?.matchLabels?.["fxohlc.io/database-client"] === "true")))
  fail(null, "no NetworkPolicy lets the cores (and only them) reach PostgreSQL");

// Redis keeps ticks: append-only file, noeviction.
const redis = workloads.find((w) => w.metadata.name === "fx-redis");
const redisArgs = (redis?.spec.template.spec.containers[0].args ?? []).join(" ");
if (!/--appendonly yes/.test(redisArgs) || !/--maxmemory-policy noeviction/.test(redisArgs))
  fail(redis, "Redis without --appendonly yes and --maxmemory-policy noeviction");

if (overlay === "dev") {
  if (!workloads.some((w) => w.metadata.name === "fx-tickgen")) fail(null, "dev has no fx-tickgen");
  if (!workloads.some((w) => w.metadata.name === "fx-postgres")) fail(null, "dev has no PostgreSQL");
}
if (overlay === "production") {
  if (workloads.some((w) => w.metadata.name === "fx-tickgen")) fail(null, "production runs fx-tickgen");
  const db = byKind("Cluster")[0];
  if (!db || db.spec.instances < 3 || !(db.spec.minSyncReplicas >= 1)) fail(db, "not 3 instances with a synchronous replica");
  for (const kind of ["PodMonitor", "PrometheusRule"]) if (!byKind(kind).length) fail(null, `no ${kind}`);
  // the replaced service's data lifecycle: 90 days of ticks, compacted after 7
  const coreEnv = workloads.find((w) => w.metadata.name === "fx-core")?.spec.template.spec.containers[0].env ?? [];
  for (const [name, value] of [["RETENTION_DAYS", "90"], ["COMPRESSION_AFTER_DAYS", "7"]])
    if (coreEnv.find((e) => e.name === name)?.value !== value) fail(null, `production fx-core without ${name}=${value}`);
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log(`${overlay}: ${docs.length} objects valid`);
