"""The Kubernetes set-up (hub_config/kubernetes/), checked offline: every manifest against
the Kubernetes API schemas (kubernetes-validate, strict), the Helm values against the
Zero to JupyterHub chart's own schema, and the properties that keep learners isolated,
the grading tier locked down and the two set-ups (Docker, Kubernetes) in step.

No cluster is needed: what a cluster would add (the chart's rendering, admission, a
network plugin enforcing the policies) is not checked here."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from jupyterhub.traitlets import ByteSpecification
from nativeauthenticator import NativeAuthenticator
from traitlets.config import Config, PyFileConfigLoader

from grading_service import metrics
from hub_config.settings import ROOT

KUBERNETES_VERSION = "1.30"  # the oldest Kubernetes these files are written for
K8S = ROOT / "hub_config" / "kubernetes"
VALUES = K8S / "values.yaml"
CHART = K8S / "z2jh-4.4.0-chart.json"  # the chart's schema and default values
ADAPTER_VALUES = K8S / "prometheus-adapter-values.yaml"
PROMETHEUS_VALUES = K8S / "prometheus-values.yaml"
MANIFESTS = sorted((K8S / "grading").glob("*.yaml"))

HUB_NAMESPACE = "coderunner"
GRADING_NAMESPACE = "coderunner-grading"
GRADER_LABELS = {"app.kubernetes.io/name": "coderunner-grader"}
GRADER_PORT = 8890


# --- loading -------------------------------------------------------------------------


def load_documents() -> list[tuple[str, dict[str, Any]]]:
    """(file name, object) for every object in the manifest files, in file order."""
    out = []
    for path in MANIFESTS:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                out.append((path.name, doc))
    return out


DOCUMENTS = load_documents()


def kind_and_name(doc: dict[str, Any]) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def doc_id(item: tuple[str, dict[str, Any]]) -> str:
    return f"{item[0]}:{kind_and_name(item[1])}"


def objects(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in DOCUMENTS if doc["kind"] == kind]


def one(kind: str, name: str) -> dict[str, Any]:
    (found,) = [doc for doc in objects(kind) if doc["metadata"]["name"] == name]
    return found


def workloads() -> Iterator[dict[str, Any]]:
    for _, doc in DOCUMENTS:
        if doc["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
            yield doc


def containers(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Init containers and containers."""
    return [*pod_spec.get("initContainers", []), *pod_spec["containers"]]


def all_containers() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(workload/container, pod spec, container) for every container, init ones too."""
    for workload in workloads():
        spec = workload["spec"]["template"]["spec"]
        for container in containers(spec):
            yield f"{workload['metadata']['name']}/{container['name']}", spec, container


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    return yaml.safe_load(VALUES.read_text())


def grader_deployment() -> dict[str, Any]:
    return one("Deployment", "grader")


def grader_container() -> dict[str, Any]:
    spec = grader_deployment()["spec"]["template"]["spec"]
    (container,) = [c for c in spec["containers"] if c["name"] == "grader"]
    return container


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container.get("env", [])}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a Kubernetes label selector matches these labels."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator = expression["key"], expression["operator"]
        if operator == "In" and labels.get(key) not in expression["values"]:
            return False
        if operator == "NotIn" and labels.get(key) in expression["values"]:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def namespace_labels(name: str) -> dict[str, str]:
    # Kubernetes gives every namespace this label; a policy selects namespaces by it.
    return {"kubernetes.io/metadata.name": name}


def byte_count(spec: str | int) -> int:
    """A memory size as JupyterHub reads it ("1G" is 1 GiB, as for Docker)."""
    return ByteSpecification().validate(None, spec)


def validate(obj: dict[str, Any]) -> None:
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def chart() -> dict[str, Any]:
    return json.loads(CHART.read_text())


def helm_merge(defaults: Any, overrides: Any) -> Any:
    """Values as Helm coalesces them: maps merge key by key, anything else is replaced,
    and a null removes the chart's default."""
    if not (isinstance(defaults, dict) and isinstance(overrides, dict)):
        return overrides
    merged = dict(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = helm_merge(defaults.get(key), value)
    return merged


def load_docker_hub_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Config:
    """hub_config/jupyterhub_config.py as the Docker set-up loads it outside demo mode
    (as test_jupyterhub_config.py does)."""
    secret = secrets.token_hex(32)
    monkeypatch.setenv("CODERUNNER_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("CODERUNNER_GATEWAY_IP", "172.30.0.1")
    monkeypatch.setenv("CODERUNNER_CHECK_IMAGE", "0")
    monkeypatch.setenv("CODERUNNER_JWT_SECRET", secret)
    monkeypatch.setenv("CONFIGPROXY_AUTH_TOKEN", secret)
    for name in (
        "CODERUNNER_LEARNER_MEM",
        "CODERUNNER_LEARNER_CPUS",
        "CODERUNNER_DEMO",
        "CODERUNNER_DEMO_PASSWORD",
        "JPY_COOKIE_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    config = ROOT / "hub_config" / "jupyterhub_config.py"
    return PyFileConfigLoader(config.name, path=str(config.parent)).load_config()


# --- the schemas ---------------------------------------------------------------------


def test_there_are_manifests_for_the_grading_tier() -> None:
    kinds = {(doc["kind"], doc["metadata"]["name"]) for _, doc in DOCUMENTS}
    assert {
        ("Namespace", HUB_NAMESPACE),
        ("Namespace", GRADING_NAMESPACE),
        ("ServiceAccount", "grader"),
        ("Service", "grader"),
        ("Deployment", "grader"),
        ("HorizontalPodAutoscaler", "grader"),
        ("NetworkPolicy", "grader"),
        ("StatefulSet", "redis"),
        ("StatefulSet", "mongodb"),
    } <= kinds


@pytest.mark.parametrize("item", DOCUMENTS, ids=doc_id)
def test_manifest_is_valid_kubernetes(item: tuple[str, dict[str, Any]]) -> None:
    validate(item[1])


def test_namespaced_objects_say_their_namespace() -> None:
    for _, doc in DOCUMENTS:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == GRADING_NAMESPACE, kind_and_name(doc)


def test_values_match_the_chart_schema(values: dict[str, Any]) -> None:
    """What Helm checks before it installs: the chart's defaults with values.yaml over
    them, against the chart's values.schema.json."""
    z2jh = chart()
    schema = z2jh["values_schema"]
    merged = helm_merge(z2jh["default_values"], values)
    jsonschema.validators.validator_for(schema)(schema).validate(merged)
    # The install command in the values file names the chart version checked here.
    assert f"--version {z2jh['chart_version']}" in VALUES.read_text()


@pytest.mark.parametrize(
    "path",
    [
        "singleuser.storage.capacity",
        "singleuser.storage.homeMountPath",
        "singleuser.memory.limit",
        "singleuser.memory.guarantee",
        "singleuser.cpu.limit",
        "singleuser.networkPolicy.egress",
        "singleuser.networkPolicy.egressAllowRules.nonPrivateIPs",
        "singleuser.image.tag",
        "cull.enabled",
        "cull.timeout",
        "hub.services",
        "hub.loadRoles",
        "hub.networkPolicy.ingress",
    ],
)
def test_values_set_keys_the_chart_reads(values: dict[str, Any], path: str) -> None:
    """The chart's schema declares the key (a misspelt one fails even where the schema
    would let unknown keys through), and the values set it."""
    node: Any = chart()["values_schema"]
    value: Any = values
    for key in path.split("."):
        assert key in node.get("properties", {}), f"the chart has no {path}"
        node = node["properties"][key]
        assert key in value, f"values.yaml does not set {path}"
        value = value[key]
    assert value is not None


# --- every container -------------------------------------------------------------------


CONTAINERS = list(all_containers())


@pytest.mark.parametrize("name, pod, container", CONTAINERS, ids=[c[0] for c in CONTAINERS])
def test_every_container_has_resource_requests_and_limits(
    name: str, pod: dict[str, Any], container: dict[str, Any]
) -> None:
    resources = container.get("resources", {})
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"{name}: {kind}"


def test_every_container_runs_unprivileged() -> None:
    checked = 0
    for name, pod, container in all_containers():
        pod_context = pod.get("securityContext", {})
        context = container.get("securityContext", {})
        assert context.get("runAsNonRoot", pod_context.get("runAsNonRoot")) is True, name
        assert context.get("runAsUser", pod_context.get("runAsUser")) not in (0, None), name
        assert context.get("allowPrivilegeEscalation") is False, name
        assert context.get("privileged") is not True, name
        assert context.get("capabilities", {}).get("drop") == ["ALL"], name
        assert not context.get("capabilities", {}).get("add"), name
        assert context.get("readOnlyRootFilesystem") is True, name
        seccomp = context.get("seccompProfile", pod_context.get("seccompProfile", {}))
        assert seccomp.get("type") == "RuntimeDefault", name
        assert pod.get("hostNetwork") is not True and pod.get("hostPID") is not True, name
        checked += 1
    assert checked >= 4


def test_long_running_containers_have_probes() -> None:
    for workload in workloads():
        for container in workload["spec"]["template"]["spec"]["containers"]:
            name = f"{workload['metadata']['name']}/{container['name']}"
            assert "livenessProbe" in container, name
            assert "readinessProbe" in container, name


def test_grader_probes_use_its_health_endpoints() -> None:
    container = grader_container()
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert ports[container[probe]["httpGet"]["port"]] == GRADER_PORT


# --- the grading service ---------------------------------------------------------------


def test_the_autoscaler_scales_the_grader_deployment_on_queue_depth() -> None:
    (hpa,) = objects("HorizontalPodAutoscaler")
    target = hpa["spec"]["scaleTargetRef"]
    deployment = grader_deployment()
    assert (target["apiVersion"], target["kind"], target["name"]) == (
        "apps/v1",
        "Deployment",
        deployment["metadata"]["name"],
    )
    assert hpa["metadata"]["namespace"] == deployment["metadata"]["namespace"]
    # The autoscaler owns the replica count; re-applying the Deployment must not reset it.
    assert "replicas" not in deployment["spec"]
    assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]

    (metric,) = hpa["spec"]["metrics"]
    served = [m.name for m in metrics.QUEUE_DEPTH.describe()]
    assert metric["type"] == "External"
    assert [metric["external"]["metric"]["name"]] == served == ["coderunner_queue_depth"]
    # Every replica reports the whole queue, so the target is per replica.
    assert metric["external"]["target"]["type"] == "AverageValue"

    # The metrics adapter serves that name, from that series.
    adapter = yaml.safe_load(ADAPTER_VALUES.read_text())
    (rule,) = adapter["rules"]["external"]
    assert rule["name"]["as"] == "coderunner_queue_depth"
    assert rule["seriesQuery"].startswith("coderunner_queue_depth{")


def test_prometheus_can_scrape_the_metrics_the_autoscaler_uses() -> None:
    """/metrics wants the metrics token: a job of Prometheus' own that sends it scrapes
    the grader pods, and the generic annotation job (which would get 403) leaves them."""
    annotations = grader_deployment()["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "false"
    values = yaml.safe_load(PROMETHEUS_VALUES.read_text())
    (job,) = yaml.safe_load(values["extraScrapeConfigs"])
    assert job["metrics_path"] == "/metrics"
    token_file = Path(job["authorization"]["credentials_file"])
    (mount,) = values["server"]["extraSecretMounts"]
    assert token_file.parent == Path(mount["mountPath"])
    keep = {r["regex"] for r in job["relabel_configs"] if r.get("action") == "keep"}
    labels = grader_deployment()["spec"]["template"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] in keep and "http" in keep
    (sd,) = job["kubernetes_sd_configs"]
    assert sd["namespaces"]["names"] == [grader_deployment()["metadata"]["namespace"]]
    # The grader reads the same key of its Secret, as a file.
    env = env_of(grader_container())
    path = Path(env["CODERUNNER_METRICS_TOKEN_FILE"]["value"])
    assert path.name == token_file.name == "metrics-token"
    spec = grader_deployment()["spec"]["template"]["spec"]
    (secret,) = [v["secret"] for v in spec["volumes"] if "secret" in v]
    assert "metrics-token" in {item["key"] for item in secret["items"]}


def test_the_grader_service_reaches_the_grader_pods(values: dict[str, Any]) -> None:
    deployment = grader_deployment()
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selects(deployment["spec"]["selector"], pod_labels)
    service = one("Service", "grader")
    assert selects({"matchLabels": service["spec"]["selector"]}, pod_labels)
    (port,) = service["spec"]["ports"]
    container_ports = {p["name"]: p["containerPort"] for p in grader_container()["ports"]}
    assert port["port"] == container_ports[port["targetPort"]] == GRADER_PORT
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "grader"
    one("ServiceAccount", "grader")

    # The hub's proxy and the learners' servers use the Service's name.
    address = f"http://grader.{GRADING_NAMESPACE}.svc:{GRADER_PORT}"
    assert values["hub"]["services"]["grader"]["url"] == address
    grader_url = values["singleuser"]["extraEnv"]["CODERUNNER_GRADER_URL"]
    assert grader_url == f"{address}/services/grader/"


def test_grader_settings_are_environment_variables_the_service_reads() -> None:
    """A misspelt variable would be ignored silently: each one set is read somewhere, by
    the grading service or (JUPYTERHUB_*) by JupyterHub's HubAuth."""
    import jupyterhub.services.auth

    sources = "\n".join(p.read_text() for p in (ROOT / "grading_service").rglob("*.py"))
    sources += Path(jupyterhub.services.auth.__file__).read_text()
    spec = grader_deployment()["spec"]["template"]["spec"]
    for container in containers(spec):
        for name in env_of(container):
            if name == "HOME":
                continue
            assert f'"{name}"' in sources, f"{container['name']}: nothing reads {name}"
    assert {"MONGODB_URI", "REDIS_URL", "CODERUNNER_SANDBOX_IMAGE", "JUPYTERHUB_API_TOKEN"} <= set(
        env_of(grader_container())
    )


def test_grader_secrets_come_from_kubernetes_secrets() -> None:
    env = env_of(grader_container())
    for name in ("MONGODB_URI", "REDIS_URL", "JUPYTERHUB_API_TOKEN"):
        assert "value" not in env[name], name
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] == "coderunner-grading"
    # The JWT secret is a file from the Secret, never a plain variable.
    assert "CODERUNNER_JWT_SECRET" not in env
    path = Path(env["CODERUNNER_JWT_SECRET_FILE"]["value"])
    spec = grader_deployment()["spec"]["template"]["spec"]
    mounts = {m["name"]: m for m in grader_container()["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    (volume_name,) = [n for n, m in mounts.items() if path.parent == Path(m["mountPath"])]
    secret = volumes[volume_name]["secret"]
    assert secret["secretName"] == "coderunner-grading"
    assert path.name in {item["path"] for item in secret["items"]}
    assert secret["defaultMode"] & 0o037 == 0  # its group (fsGroup) may read; no one else
    # Nothing secret is written into any manifest.
    for _, doc in DOCUMENTS:
        assert doc["kind"] != "Secret"
        text = yaml.safe_dump(doc)
        assert not re.search(r"(mongodb|redis)://[^\s'\"]*@", text), kind_and_name(doc)


def test_each_replica_labels_its_sandboxes_by_node_and_reaches_that_nodes_docker() -> None:
    deployment = grader_deployment()
    spec = deployment["spec"]["template"]["spec"]
    env = env_of(grader_container())
    assert env["CODERUNNER_INSTANCE"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"
    # Node names label sandboxes only if no two replicas share a node.
    (term,) = spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["topologyKey"] == "kubernetes.io/hostname"
    assert selects(term["labelSelector"], deployment["spec"]["template"]["metadata"]["labels"])
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == 0
    # The socket sits in the mounted runtime folder of the rootless daemon's user.
    socket = Path(env["DOCKER_HOST"]["value"].removeprefix("unix://"))
    mount = next(m for m in grader_container()["volumeMounts"] if m["name"] == "docker")
    assert socket.parent == Path(mount["mountPath"])
    (docker_volume,) = [v for v in spec["volumes"] if v["name"] == "docker"]
    uid = spec["securityContext"]["runAsUser"]
    assert docker_volume["hostPath"]["path"] == f"/run/user/{uid}"
    # Only the dedicated grading nodes.
    pool = spec["nodeSelector"]["coderunner.org/pool"]
    tolerated = {(t["key"], t["value"]) for t in spec["tolerations"]}
    assert ("coderunner.org/pool", pool) in tolerated


def test_learners_and_sandboxes_use_the_same_pinned_image(values: dict[str, Any]) -> None:
    image = values["singleuser"]["image"]
    assert image["tag"] and image["tag"] != "latest"
    learner_image = f"{image['name']}:{image['tag']}"
    spec = grader_deployment()["spec"]["template"]["spec"]
    for container in containers(spec):
        assert env_of(container)["CODERUNNER_SANDBOX_IMAGE"]["value"] == learner_image
    for _, _, container in all_containers():
        assert ":" in container["image"] and not container["image"].endswith(":latest")


def test_grading_tier_pods_are_each_selected_by_a_policy_for_both_directions() -> None:
    policies = objects("NetworkPolicy")
    for workload in workloads():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        matching = [p for p in policies if selects(p["spec"]["podSelector"], labels)]
        assert matching, workload["metadata"]["name"]
        types = {t for p in matching for t in p["spec"]["policyTypes"]}
        assert types == {"Ingress", "Egress"}, workload["metadata"]["name"]


def peers_allowed(
    rules: list[dict[str, Any]], key: str
) -> list[tuple[dict[str, Any] | None, dict[str, Any], set[int]]]:
    """(namespace selector, pod selector, ports) for every peer of ingress ("from") or
    egress ("to") rules; None for the namespace means the policy's own namespace."""
    out = []
    for rule in rules:
        assert rule.get(key), f"a rule without {key!r} allows everyone"
        ports = {p["port"] for p in rule.get("ports", [])}
        assert ports, "a rule without ports allows every port"
        for peer in rule[key]:
            assert "ipBlock" not in peer
            out.append((peer.get("namespaceSelector"), peer.get("podSelector", {}), ports))
    return out


def test_redis_and_mongodb_are_reached_only_by_the_grading_service() -> None:
    for name, port in (("redis", 6379), ("mongodb", 27017)):
        spec = one("NetworkPolicy", name)["spec"]
        assert spec["egress"] == []
        ((namespaces, pods, ports),) = peers_allowed(spec["ingress"], "from")
        assert namespaces is None and pods == {"matchLabels": GRADER_LABELS}
        assert ports == {port}


def test_grading_service_is_reached_by_hub_proxy_learners_and_prometheus_only() -> None:
    spec = one("NetworkPolicy", "grader")["spec"]
    assert selects(spec["podSelector"], GRADER_LABELS)
    allowed = peers_allowed(spec["ingress"], "from")
    hub_side = namespace_labels(HUB_NAMESPACE)
    for namespaces, pods, ports in allowed:
        assert ports == {GRADER_PORT}
        if namespaces is not None and selects(namespaces, hub_side):
            for component in ("hub", "proxy", "singleuser-server"):
                assert selects(pods, {"component": component})
            # Nothing else in the hub's namespace (the chart's hook and scheduler pods).
            for component in ("user-scheduler", "image-puller", "autohttps"):
                assert not selects(pods, {"component": component})
        else:
            assert namespaces == {"matchLabels": namespace_labels("monitoring")}
    # Egress: Redis, MongoDB, the hub's API and DNS, nothing else.
    egress = {
        frozenset(ports): (namespaces, pods)
        for namespaces, pods, ports in peers_allowed(spec["egress"], "to")
    }
    assert set(egress) == {
        frozenset({6379}),
        frozenset({27017}),
        frozenset({8081}),
        frozenset({53}),
    }
    for port, statefulset in ((6379, "redis"), (27017, "mongodb")):
        namespaces, pods = egress[frozenset({port})]
        assert namespaces is None
        assert selects(
            pods, one("StatefulSet", statefulset)["spec"]["template"]["metadata"]["labels"]
        )
    assert egress[frozenset({8081})] == (
        {"matchLabels": namespace_labels(HUB_NAMESPACE)},
        {"matchLabels": {"component": "hub"}},
    )
    assert egress[frozenset({53})] == ({"matchLabels": namespace_labels("kube-system")}, {})


def test_hub_lets_the_grading_service_call_its_api(values: dict[str, Any]) -> None:
    (rule,) = values["hub"]["networkPolicy"]["ingress"]
    ((namespaces, pods, ports),) = peers_allowed([rule], "from")
    assert selects(namespaces, namespace_labels(GRADING_NAMESPACE))
    assert selects(pods, grader_deployment()["spec"]["template"]["metadata"]["labels"])
    assert ports == {8081}
    validate(network_policy(HUB_NAMESPACE, {"component": "hub"}, ingress=[rule]))


# --- the learners (Helm values) ---------------------------------------------------------


def network_policy(namespace: str, labels: dict[str, str], **rules: Any) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "check", "namespace": namespace},
        "spec": {"podSelector": {"matchLabels": labels}, **rules},
    }


def test_learners_reach_only_hub_proxy_grader_and_dns(values: dict[str, Any]) -> None:
    policy = values["singleuser"]["networkPolicy"]
    assert policy["enabled"] is True
    # The chart's switches: only DNS to kube-system; no internet, no private addresses
    # (other learners, nodes, Redis, MongoDB), no cloud metadata. Hub (8081) and proxy
    # (8000) are allowed by the chart's template itself.
    assert policy["egressAllowRules"] == {
        "cloudMetadataServer": False,
        "dnsPortsCloudMetadataServer": False,
        "dnsPortsKubeSystemNamespace": True,
        "dnsPortsPrivateIPs": False,
        "nonPrivateIPs": False,
        "privateIPs": False,
    }
    # The one extra rule: the grading service's pods, on its port.
    for namespaces, pods, ports in peers_allowed(policy["egress"], "to"):
        assert namespaces == {"matchLabels": namespace_labels(GRADING_NAMESPACE)}
        assert pods == {"matchLabels": GRADER_LABELS}
        assert ports == {GRADER_PORT}
    assert not policy.get("ingress") and not policy.get("allowedIngressPorts")
    assert policy.get("interNamespaceAccessLabels", "ignore") == "ignore"
    validate(
        network_policy(HUB_NAMESPACE, {"component": "singleuser-server"}, egress=policy["egress"])
    )


def test_learner_pods_are_unprivileged_with_a_read_only_root(values: dict[str, Any]) -> None:
    """The pod KubeSpawner makes from these values (security contexts, home, /tmp,
    limits) is valid Kubernetes and as locked down as the Docker set-up's container."""
    singleuser = values["singleuser"]
    spawner = values["hub"]["config"]["KubeSpawner"]
    context = spawner["container_security_context"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] == singleuser["uid"] != 0
    assert context["allowPrivilegeEscalation"] is False
    assert singleuser["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["readOnlyRootFilesystem"] is True
    assert values["singleuser"]["cloudMetadata"]["blockWithIptables"] is False  # no root init

    storage = singleuser["storage"]
    mounts = [
        {"name": "home", "mountPath": storage["homeMountPath"]},
        *storage["extraVolumeMounts"],
    ]
    assert {m["mountPath"] for m in mounts} == {"/home/learner", "/tmp"}
    volumes = [
        {"name": "home", "persistentVolumeClaim": {"claimName": "claim-learner1"}},
        *storage["extraVolumes"],
    ]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "jupyter-learner1", "namespace": HUB_NAMESPACE},
        "spec": {
            "securityContext": {**spawner["pod_security_context"], "fsGroup": singleuser["fsGid"]},
            "automountServiceAccountToken": False,
            "containers": [
                {
                    "name": "notebook",
                    "image": f"{singleuser['image']['name']}:{singleuser['image']['tag']}",
                    "securityContext": context,
                    "volumeMounts": mounts,
                    "resources": {
                        "limits": {
                            "memory": str(byte_count(singleuser["memory"]["limit"])),
                            "cpu": str(singleuser["cpu"]["limit"]),
                        }
                    },
                }
            ],
            "volumes": volumes,
        },
    }
    validate(pod)
    assert storage["type"] == "dynamic" and storage["capacity"]
    validate(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "claim-learner1", "namespace": HUB_NAMESPACE},
            "spec": {
                "accessModes": storage["dynamic"]["storageAccessModes"],
                "resources": {"requests": {"storage": storage["capacity"]}},
            },
        }
    )


def test_idle_servers_are_culled_and_homes_and_users_kept(values: dict[str, Any]) -> None:
    cull = values["cull"]
    assert cull["enabled"] is True
    assert isinstance(cull["timeout"], int) and cull["timeout"] > 0
    assert cull["users"] is False  # culling stops servers, never deletes users (or homes)


def test_learner_limits_scopes_and_roles_match_the_docker_setup(
    values: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    c = load_docker_hub_config(monkeypatch, tmp_path)
    singleuser = values["singleuser"]
    assert byte_count(singleuser["memory"]["limit"]) == byte_count(c.DockerSpawner.mem_limit)
    assert float(singleuser["cpu"]["limit"]) == float(c.DockerSpawner.cpu_limit)
    assert singleuser["storage"]["homeMountPath"] == c.DockerSpawner.notebook_dir

    hub_config = values["hub"]["config"]
    assert hub_config["Spawner"]["server_token_scopes"] == list(c.Spawner.server_token_scopes)

    docker_roles = {role["name"]: role for role in c.JupyterHub.load_roles}
    for name, role in values["hub"]["loadRoles"].items():
        assert name in docker_roles, f"role {name} is not in jupyterhub_config.py"
        assert sorted(role["scopes"]) == sorted(docker_roles[name]["scopes"]), name
        assert role.get("services", []) == docker_roles[name].get("services", []), name

    # Sign-in: the same authenticator and limits where the Docker set-up sets them.
    for section in ("JupyterHub", "Authenticator", "NativeAuthenticator"):
        for key, value in hub_config.get(section, {}).items():
            if (section, key) == ("JupyterHub", "authenticator_class"):
                # z2jh's hub image (JupyterHub 5.5) runs NativeAuthenticator as it is; the
                # Docker set-up (JupyterHub 6) needs hub_config/native.py's fix of it.
                assert value == "native"
                assert issubclass(c.JupyterHub.authenticator_class, NativeAuthenticator)
            elif key in c[section]:
                assert c[section][key] == value, f"{section}.{key}"

    docker_grader = next(s for s in c.JupyterHub.services if s["name"] == "grader")
    grader = values["hub"]["services"]["grader"]
    for key in ("display", "oauth_no_confirm"):
        assert grader[key] == docker_grader[key], key
    # The token is given at install time, never written here.
    assert not grader.get("apiToken") and not grader.get("api_token")
