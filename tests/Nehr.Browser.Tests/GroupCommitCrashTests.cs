using System.Collections.Concurrent;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;

namespace Nehr.Browser.Tests;

/// <summary>
/// Kills the real portal process (SIGKILL) while patients' record reads wait in the group commit of their audit events
/// (and contributions write beside them), three times, restarting it on the same database. Afterwards no read was
/// answered without its event in the trail, every acknowledged contribution is there, and the chain verifies.
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
        var answered = 0;
        var acknowledged = new ConcurrentBag<string>();
        try
        {
            string? patient = null;
            for (var round = 0; round < Rounds; round++)
            {
                await using var portal = await PortalProcess.StartAsync(directory);
                patient ??= CrashSafetyTests.PatientJson(portal);
                var cookie = await SignInAsync(portal);
                using var handler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false };
                using var client = new HttpClient(handler) { BaseAddress = portal.BaseAddress };
                var token = await CrashSafetyTests.TokenAsync(client);
                using var stop = new CancellationTokenSource();
                var readers = Enumerable.Range(0, Readers).Select(_ => ReadUntilKilledAsync(client, cookie, () => Interlocked.Increment(ref answered), stop.Token)).ToList();
                var writer = CrashSafetyTests.WriteUntilKilledAsync(client, token, patient, $"g{round}", acknowledged, stop.Token);

                // Let the reads get going, then kill the process with reads waiting for their batch.
                await Task.Delay(TimeSpan.FromMilliseconds(1500 + 500 * round));
                await portal.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll([.. readers, writer]);
            }

            Assert.True(answered >= Rounds * Readers, $"Too few answered reads to prove anything: {answered}");

            var database = Path.Combine(directory, "nehr.db");
            var options = new DbContextOptionsBuilder<NehrDbContext>().UseSqlite($"Data Source={database}").Options;
            await using var db = new NehrDbContext(options);
            var patientUser = await db.Users.Where(u => u.Email == DemoAccounts.Patient).Select(u => u.Id).SingleAsync();
            var recorded = await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.RecordRead && e.ActorUserId == patientUser);
            // Every answered read has its event; reads cut off by the kill after their batch committed have one too.
            Assert.True(recorded >= answered, $"{answered} reads were answered but only {recorded} read events are in the trail.");
            var stored = (await db.ClinicalEntries.Where(e => e.SourceIdentifier.StartsWith("urn:crash|g"))
                .Select(e => e.SourceIdentifier).ToListAsync()).Select(s => s[..s.LastIndexOf('-')]).ToHashSet();
            Assert.All(acknowledged, bundle => Assert.Contains("urn:crash|" + bundle, stored));
            var verification = await AuditTrail.VerifyAsync(db);
            Assert.True(verification.Intact, verification.Problem);
            output.WriteLine($"{Rounds} kills: {answered} reads answered, {recorded} read events recorded, {acknowledged.Count} bundles acknowledged, {verification.EventsChecked} audit events verified.");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp folder.
            }
        }
    }

    /// <summary>The patient reads their own record again and again; each complete page with the record is an answered read.</summary>
    private static async Task ReadUntilKilledAsync(HttpClient client, string cookie, Action answered, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/patient/record");
                request.Headers.Add("Cookie", cookie);
                using var response = await client.SendAsync(request, stop);
                var body = await response.Content.ReadAsStringAsync(stop);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                if (body.Contains("Tan Mei Ling", StringComparison.Ordinal) && body.Contains("</html>", StringComparison.Ordinal))
                {
                    answered();
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
