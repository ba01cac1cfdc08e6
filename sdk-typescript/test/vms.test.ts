/** client.vmTemplates, client.vms and client.vmNetworks through the SDK, against a real server on loopback. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ConflictError, ICGPUError, NotFoundError, ValidationError, type ICGPU } from "../src/index.js";
import { client, sshPublicKey, uniqueName } from "./support/fixtures.js";
import { TestServer } from "./support/server.js";

let server: TestServer;
let alice: ICGPU;

const WAIT = { timeout: 30_000, interval: 50 };

before(async () => {
  server = await TestServer.start();
  const boot = await server.bootstrap(uniqueName("vms"), "alice@example.com");
  alice = client(server.url, boot.api_key);
});

after(async () => {
  await server?.stop();
});

async function cpuVm(name: string): Promise<string> {
  return (await alice.vms.create({ name, templateId: "tpl-ubuntu-cpu", sshKey: sshPublicKey() })).vm.id;
}

describe("vmTemplates, vms and vmNetworks", () => {
  it("lists and gets templates", async () => {
    const ids = (await alice.vmTemplates.list()).map((t) => t.id);
    assert.deepEqual(ids, ["tpl-ubuntu-gpu", "tpl-ubuntu-mig", "tpl-ubuntu-cpu"]);
    const cpu = await alice.vmTemplates.get("tpl-ubuntu-cpu");
    assert.equal(cpu.gpu, false);
    assert.equal(cpu.defaultDiskGb, 20);
    await assert.rejects(alice.vmTemplates.get("tpl-doesnotexist"), NotFoundError);
  });

  it("creates, updates, stops, starts, reboots and deletes a VM", async () => {
    const dry = await alice.vms.create({ name: "dry", templateId: "tpl-ubuntu-cpu", sshKey: sshPublicKey(), dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.vm.status, "PENDING");
    assert.deepEqual(await alice.vms.list().toArray(), []);

    const { vm, dryRun } = await alice.vms.create({
      name: "ml-workstation", templateId: "tpl-ubuntu-cpu", sshKey: sshPublicKey(), cpu: 4, diskGb: 40,
      autoStopAfterMinutes: 60,
    });
    assert.equal(dryRun, false);
    assert.match(vm.id, /^vm-/);
    assert.equal(vm.cpu, 4);
    const running = await alice.vms.waitForStatus(vm.id, "RUNNING", WAIT);
    assert.ok(running.sshHost);
    assert.deepEqual((await alice.vms.list().toArray()).map((v) => v.id), [vm.id]);

    const renamed = (await alice.vms.update(vm.id, { name: "renamed" })).vm;
    assert.equal(renamed.name, "renamed");
    assert.equal(renamed.autoStopAfterMinutes, 60);
    assert.equal((await alice.vms.update(vm.id, { autoStopAfterMinutes: null })).vm.autoStopAfterMinutes, null);

    assert.equal((await alice.vms.reboot(vm.id)).vm.status, "REBOOTING");
    await alice.vms.waitForStatus(vm.id, "RUNNING", WAIT);
    assert.equal((await alice.vms.stop(vm.id, { dryRun: true })).dryRun, true);
    assert.equal((await alice.vms.get(vm.id)).status, "RUNNING");
    assert.equal((await alice.vms.stop(vm.id)).vm.status, "STOPPING");
    await alice.vms.waitForStatus(vm.id, "STOPPED", WAIT);
    await assert.rejects(alice.vms.waitForStatus(vm.id, "RUNNING", WAIT), ICGPUError);
    await assert.rejects(alice.vms.reboot(vm.id),
      (err: unknown) => err instanceof ConflictError && err.code === "InvalidStateTransition");
    assert.equal((await alice.vms.start(vm.id)).vm.status, "PENDING");
    await alice.vms.waitForStatus(vm.id, "RUNNING", WAIT);

    assert.equal((await alice.vms.delete(vm.id)).vm.status, "TERMINATED");
    assert.deepEqual(await alice.vms.list().toArray(), []);
    assert.deepEqual((await alice.vms.list({ status: "TERMINATED" }).toArray()).map((v) => v.id), [vm.id]);
    await assert.rejects(alice.vms.get("vm-doesnotexist"), NotFoundError);
  });

  it("maps bad input to ValidationError naming the field, writing nothing", async () => {
    await assert.rejects(alice.vms.create({ name: "bad", templateId: "tpl-ubuntu-cpu", sshKey: sshPublicKey(), cpu: 17 }),
      (err: unknown) => err instanceof ValidationError && err.status === 400 && err.field === "cpu");
    await assert.rejects(alice.vms.create({ name: "no-key", templateId: "tpl-ubuntu-cpu" }),
      (err: unknown) => err instanceof ValidationError && err.field === "sshKey");
    const net = (await alice.vmNetworks.create({ name: uniqueName("v") })).vmNetwork;
    await assert.rejects(alice.vmNetworks.createSubnet(net.id, { name: "public", cidr: "8.8.8.0/24" }),
      (err: unknown) => err instanceof ValidationError && err.field === "cidr");
    await assert.rejects(alice.vmNetworks.createFirewallRule(net.id, {
      direction: "ingress", protocol: "tcp", portRange: "0-70000", source: "0.0.0.0/0", action: "allow",
    }), (err: unknown) => err instanceof ValidationError && err.field === "portRange");
    assert.deepEqual(await alice.vmNetworks.subnets(net.id).toArray(), []);
    assert.deepEqual(await alice.vmNetworks.firewallRules(net.id).toArray(), []);
    assert.equal((await alice.vmNetworks.delete(net.id)).vmNetwork.id, net.id);
  });

  it("manages networks, subnets, firewall rules and a VM's networks", async () => {
    const nets = alice.vmNetworks;
    assert.equal((await nets.create({ name: "dry-net", dryRun: true })).dryRun, true);
    const net = (await nets.create({ name: "training-net", description: "Isolated training network" })).vmNetwork;
    assert.match(net.id, /^net-/);
    assert.equal((await nets.get(net.id)).description, "Isolated training network");
    const sub = (await nets.createSubnet(net.id, { name: "workers", cidr: "10.100.0.0/24" })).subnet;
    await assert.rejects(nets.createSubnet(net.id, { name: "overlap", cidr: "10.100.0.0/16" }),
      (err: unknown) => err instanceof ConflictError && err.code === "SubnetOverlap");
    const rule = (await nets.createFirewallRule(net.id, {
      direction: "ingress", protocol: "tcp", portRange: "22", source: "0.0.0.0/0", action: "allow",
    })).firewallRule;
    assert.equal(rule.portRange, "22");
    assert.deepEqual((await nets.firewallRules(net.id).toArray()).map((r) => r.id), [rule.id]);

    const vmId = await cpuVm("attached");
    assert.equal((await alice.vms.attachNetwork(vmId, { name: "training-net", dryRun: true })).dryRun, true);
    const att = (await alice.vms.attachNetwork(vmId, { name: "training-net", cidr: "10.100.0.0/24" })).vmNetwork;
    assert.equal(att.subnetId, sub.id);
    assert.equal(att.ipAddress, "10.100.0.2");
    assert.deepEqual((await alice.vms.networks(vmId)).map((n) => n.networkId), [net.id]);
    await assert.rejects(alice.vms.attachNetwork(vmId, { name: "training-net" }),
      (err: unknown) => err instanceof ConflictError && err.code === "AlreadyAttached");
    await assert.rejects(nets.delete(net.id), (err: unknown) => err instanceof ConflictError && err.code === "NetworkInUse");
    assert.equal((await alice.vms.detachNetwork(vmId, net.id)).vmNetwork.networkId, net.id);
    assert.deepEqual(await alice.vms.networks(vmId), []);

    assert.equal((await nets.deleteFirewallRule(net.id, rule.id)).firewallRule.id, rule.id);
    assert.equal((await nets.deleteSubnet(net.id, sub.id, { dryRun: true })).dryRun, true);
    assert.equal((await nets.deleteSubnet(net.id, sub.id)).subnet.id, sub.id);
    assert.equal((await nets.delete(net.id)).vmNetwork.id, net.id);
    await assert.rejects(nets.get(net.id), NotFoundError);
  });

  it("pages through VMs, networks, subnets and rules", async () => {
    const before = (await alice.vms.list().toArray()).map((v) => v.id);
    const ids = [...before];
    for (let i = 0; i < 3; i += 1) ids.push(await cpuVm(uniqueName("p")));
    const first = await alice.vms.list({ maxResults: 2 }).firstPage();
    assert.equal(first.items.length, 2);
    assert.ok(first.nextToken);
    assert.deepEqual((await alice.vms.list({ maxResults: 2 }).toArray()).map((v) => v.id), ids);

    const net = (await alice.vmNetworks.create({ name: uniqueName("pn") })).vmNetwork;
    const subs = [];
    for (let i = 0; i < 3; i += 1) {
      subs.push((await alice.vmNetworks.createSubnet(net.id, { name: `s${i}`, cidr: `10.9.${i}.0/24` })).subnet.id);
    }
    assert.deepEqual((await alice.vmNetworks.subnets(net.id, { maxResults: 2 }).toArray()).map((s) => s.id), subs);
    const rules = [];
    for (let i = 0; i < 3; i += 1) {
      rules.push((await alice.vmNetworks.createFirewallRule(net.id, {
        direction: "egress", protocol: "udp", portRange: String(5000 + i), source: "10.0.0.0/8", action: "deny",
      })).firewallRule.id);
    }
    assert.deepEqual((await alice.vmNetworks.firewallRules(net.id, { maxResults: 2 }).toArray()).map((r) => r.id), rules);
    const allNets = (await alice.vmNetworks.list({ maxResults: 1 }).toArray()).map((n) => n.id);
    assert.ok(allNets.includes(net.id));
  });
});
