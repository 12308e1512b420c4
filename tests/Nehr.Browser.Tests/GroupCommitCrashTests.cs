using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;

namespace Nehr.Browser.Tests;

/// <summary>
/// Kills the real portal process (SIGKILL) while patients' record reads wait in the group commit of their audit events
/// (and contributions write beside them), three times, restarting it on the same database. Each reader of each round
/// connects from a loopback address of its own, which its events record: afterwards every reader has an event for
/// each read it was answered (and at most one more, for the read the kill cut off), every acknowledged contribution
/// is there, and the trail verifies. The trail has four chains and a signed checkpoint log (one checkpoint at each
/// start): every chain verifies, and every signed head names the event at its position and its chain's Merkle root.
/// (In the portal collection: it runs alone, not beside the browser journeys; the fixture's browser signs in.)
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class GroupCommitCrashTests(PortalFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Rounds = 3;
    private const int Readers = 16;

    [Fact]
    public async Task No_read_is_answered_without_its_durable_event_across_repeated_kills()
    {
        var directory = Path.Combine(Path.GetTempPath(), "nehr-crash-tests", Guid.NewGuid().ToString("N"));
        var answered = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var acknowledged = new ConcurrentBag<string>();
        var (log, keyFile) = (Path.Combine(directory, "audit-checkpoints.jsonl"), Path.Combine(directory, "checkpoint-signing.pem"));
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(keyFile, CheckpointSigner.NewKeyPem());
        var settings = new Dictionary<string, string>
        {
            ["Nehr__Data__AuditChains"] = "4",
            ["Nehr__Integrity__CheckpointFile"] = log,
            ["Nehr__Integrity__SigningKeyFile"] = keyFile,
        };
        try
        {
            string? patient = null;
            for (var round = 0; round < Rounds; round++)
            {
                await using var portal = await PortalProcess.StartAsync(directory, settings);
                patient ??= CrashSafetyTests.PatientJson(portal);
                var cookie = await SignInAsync(portal);
                using var client = new HttpClient { BaseAddress = portal.BaseAddress };
                var token = await CrashSafetyTests.TokenAsync(client);
                using var stop = new CancellationTokenSource();
                var round1 = round + 1;
                var readers = Enumerable.Range(0, Readers)
                    .Select(r => ReadUntilKilledAsync(portal.BaseAddress, $"127.0.{round1}.{r + 10}", cookie, answered, () => portal.Log, stop.Token)).ToList();
                var writer = CrashSafetyTests.WriteUntilKilledAsync(client, token, patient, $"g{round}", acknowledged, stop.Token);

                // Let the reads get going, then kill the process with reads waiting for their batch.
                await Task.Delay(TimeSpan.FromMilliseconds(1500 + 500 * round));
                await portal.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll([.. readers, writer]);
            }

            var total = answered.Values.Sum();
            Assert.True(total >= Rounds * Readers, $"Too few answered reads to prove anything: {total}");

            await using var db = CrashSafetyTests.OpenCrashedDatabase(directory);
            var patientUser = await db.Users.Where(u => u.Email == DemoAccounts.Patient).Select(u => u.Id).SingleAsync();
            var recorded = (await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.RecordRead && e.ActorUserId == patientUser)
                .GroupBy(e => e.ClientAddress).Select(g => new { Address = g.Key!, Count = g.Count() }).ToListAsync())
                .ToDictionary(g => g.Address, g => g.Count, StringComparer.Ordinal);
            // Every answered read has its event; the one read a kill cut off after its batch committed may have one too.
            Assert.All(answered, reader => Assert.InRange(recorded.GetValueOrDefault(reader.Key), reader.Value, reader.Value + 1));
            var stored = (await db.ClinicalEntries.Where(e => e.SourceIdentifier.StartsWith("urn:crash|g"))
                .Select(e => e.SourceIdentifier).ToListAsync()).Select(s => s[..s.LastIndexOf('-')]).ToHashSet();
            Assert.All(acknowledged, bundle => Assert.Contains("urn:crash|" + bundle, stored));
            var verification = await AuditTrail.VerifyAsync(db);
            Assert.True(verification.Intact, verification.Problem);
            var chains = await db.AuditChainHeads.CountAsync(h => h.LastPosition > 0);
            Assert.True(chains > 1, "every event on one chain");

            // Each start signed a checkpoint over what the kill before it left: the log holds, and each of its heads
            // is the event at that position of its chain, under the root of the tree of the chain's events up to it.
            using var key = CheckpointSigner.FromPem(await File.ReadAllTextAsync(keyFile), keyFile);
            var reading = CheckpointLog.Read(await File.ReadAllLinesAsync(log), key);
            Assert.True(reading.Intact, reading.Problem);
            Assert.True(reading.Checkpoints.Count >= Rounds, $"{reading.Checkpoints.Count} checkpoints signed");
            foreach (var head in reading.Checkpoints.SelectMany(c => c.Heads).Where(h => h.Position > 0))
            {
                var hashes = await db.AuditEvents.Where(e => e.Chain == head.Chain && e.Position <= head.Position).OrderBy(e => e.Position).Select(e => e.Hash).ToListAsync();
                Assert.Equal(head.Hash, hashes[^1]);
                Assert.Equal(head.Root, Convert.ToHexStringLower(MerkleTree.Root(hashes.Select(h => MerkleTree.LeafHash(Convert.FromHexString(h))))));
            }

            output.WriteLine($"{Rounds} kills: {total} reads answered by {answered.Count} readers, {recorded.Values.Sum()} read events recorded, {acknowledged.Count} bundles acknowledged, {verification.EventsChecked} audit events verified on {chains} chains, {reading.Checkpoints.Count} signed checkpoints checked.");
        }
        finally
        {
            CrashSafetyTests.DeleteCrashDirectory(directory);
        }
    }

    /// <summary>
    /// The patient reads their own record again and again, over connections from <paramref name="address"/>; each
    /// complete page with the record is an answered read.
    /// </summary>
    private static async Task ReadUntilKilledAsync(
        Uri baseAddress, string address, string cookie, ConcurrentDictionary<string, int> answered, Func<string> log, CancellationToken stop)
    {
        using var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress };
        answered.TryAdd(address, 0);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/patient/record");
                request.Headers.Add("Cookie", cookie);
                using var response = await client.SendAsync(request, stop);
                var body = await response.Content.ReadAsStringAsync(stop);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    var said = log();
                    Assert.Fail($"{address}: {(int)response.StatusCode} {response.StatusCode}; the portal's log ends:\n{said[Math.Max(0, said.Length - 6000)..]}");
                }
                if (body.Contains("Tan Mei Ling", StringComparison.Ordinal) && body.Contains("</html>", StringComparison.Ordinal))
                {
                    answered.AddOrUpdate(address, 1, (_, n) => n + 1);
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return; // the process is gone: this read was never answered
            }
        }
    }

    /// <summary>Signs the demo patient in through the development identity provider; the portal's cookies as one header.</summary>
    private async Task<string> SignInAsync(PortalProcess portal)
    {
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = portal.BaseAddress.ToString() });
        try
        {
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout(60_000);
            await page.GotoAsync("/Account/Login");
            await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Singpass" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Tan Mei Ling (" }).ClickAsync();
            await page.WaitForURLAsync(url => url.EndsWith("/patient", StringComparison.Ordinal));
            var cookies = await context.CookiesAsync();
            return string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}"));
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
