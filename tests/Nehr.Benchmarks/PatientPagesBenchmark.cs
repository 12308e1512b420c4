using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;

namespace Nehr.Benchmarks;

/// <summary>
/// The patient area without circuits, under load: page loads per second of one instance (this process's portal on
/// Kestrel, 127.0.0.1) for the access history of a patient with 1,000 accesses, driven by Debian's <c>wrk</c> with the
/// patient's sign-in cookie; and the server memory a signed-in patient costs between requests (the managed heap after
/// a full collection, before and after many patients have signed in and loaded their pages).
/// </summary>
internal static class PatientPagesBenchmark
{
    private const int Accesses = 1_000;
    private static readonly string[] ChromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    public static async Task RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 15);
        var connections = Option(args, "--connections", 16);
        var patients = Option(args, "--patients", 20);
        await KestrelPortal.RunFreshAsync(async (client, _) => await MeasureAsync(client.BaseAddress!, seconds, connections, patients));
    }

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

    /// <summary>The portal of <see cref="KestrelPortal.RunFreshAsync"/> is in this process: its services are reached through the factory.</summary>
    private static KestrelPortal Portal => KestrelPortal.Current ?? throw new InvalidOperationException("No portal is running.");

    private static async Task MeasureAsync(Uri baseAddress, int seconds, int connections, int patients)
    {
        // 1,000 accesses to Tan Mei Ling's record: the doctor at the hospital and the nurse at the polyclinic, each
        // opening the record and turning to its parts, as the gate records them (audited, one transaction each).
        var stopwatch = Stopwatch.StartNew();
        await using (var scope = Portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NehrDbContext>();
            var users = await db.Users.AsNoTracking().Where(u => u.Email != null).ToDictionaryAsync(u => u.Email!);
            var patientId = users[DemoAccounts.Patient].PatientId!.Value;
            var gate = scope.ServiceProvider.GetRequiredService<RecordGate>();
            var kinds = Enum.GetValues<Nehr.Core.Records.EntryKind>();
            for (var i = 0; i < Accesses; i++)
            {
                var reader = users[i % 3 == 0 ? DemoAccounts.PolyclinicNurse : DemoAccounts.HospitalDoctor].Id;
                var request = new RecordRequest(new AuditContext(reader, "127.0.0.1", "benchmark"), patientId, PurposeOfUse.Treatment);
                _ = i % 5 == 0 ? await gate.OpenAsync(request) : await gate.ReadPageAsync(request, kinds[i % kinds.Length], 1);
            }
        }

        NationalBenchmark.Line($"Patient pages without circuits ({Accesses:N0} accesses to one patient's record, made in {stopwatch.Elapsed.TotalSeconds:0} s):");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        var cookie = await SignInAsync(browser, baseAddress, "Tan Mei Ling (");

        // Throughput and latency: wrk, its connections sharing the two cores with the portal.
        if (!File.Exists("/usr/bin/wrk"))
        {
            NationalBenchmark.Line($"  skipped the load: Debian's wrk is not installed (apt-get install -y wrk)");
        }
        else
        {
            // The front door last: a static page of the same portal that reads no database and needs no sign-in,
            // through the same middleware, layout and theme: the floor under every patient page.
            foreach (var path in new[] { "/patient/history", "/patient", "/patient/record", "/" })
            {
                // Without the cookie for the front door, which sends a signed-in patient on to /patient.
                await WrkAsync(baseAddress, path, path == "/" ? null : cookie, seconds, connections);
            }
        }

        // Memory: many patients sign in and load their pages; between requests nothing of theirs stays.
        var cookies = new List<string>();
        var nrics = await PeopleAsync(patients);
        foreach (var nric in nrics)
        {
            cookies.Add(await SignInAsync(browser, baseAddress, nric: nric));
        }

        using var handler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress };
        await LoadAsync(http, cookies);
        var before = ManagedHeap();
        await LoadAsync(http, cookies);
        await LoadAsync(http, cookies);
        var after = ManagedHeap();
        var perPatient = (after - before) / 1024.0 / cookies.Count;
        NationalBenchmark.Line($"  server memory per signed-in patient between requests ({cookies.Count} patients, each loading home, record and history twice): {perPatient:0.0} KB (managed heap {before / 1048576.0:0.0} MB -> {after / 1048576.0:0.0} MB; goal: nothing beyond the cookie)");
    }

    private static async Task<List<string>> PeopleAsync(int count)
    {
        await using var scope = Portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NehrDbContext>();
        var withAccounts = db.Users.Where(u => u.PatientId != null).Select(u => u.PatientId!.Value);
        var found = await db.Patients.AsNoTracking().Where(p => !withAccounts.Contains(p.Id) && !p.IsDeceased)
            .OrderBy(p => p.Id).Take(count).Select(p => p.Nric).ToListAsync();
        return found.Select(n => n.Value).ToList();
    }

    private static async Task LoadAsync(HttpClient http, IEnumerable<string> cookies)
    {
        foreach (var cookie in cookies)
        {
            foreach (var path in new[] { "/patient", "/patient/record", "/patient/history" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Add("Cookie", cookie);
                using var response = await http.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
                }
            }
        }
    }

    /// <summary>Signs in through the development identity provider's page; the portal's cookies as one Cookie header.</summary>
    private static async Task<string> SignInAsync(IBrowser browser, Uri baseAddress, string? person = null, string? nric = null)
    {
        var context = await browser.NewContextAsync(new() { BaseURL = baseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync("/Account/Login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Singpass" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/dev-idp/authorize", StringComparison.Ordinal));
        if (nric is not null)
        {
            await page.GetByLabel("Or type any NRIC/FIN").FillAsync(nric);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with this NRIC/FIN" }).ClickAsync();
        }
        else
        {
            await page.GetByRole(AriaRole.Button, new() { Name = person }).ClickAsync();
        }

        await page.WaitForURLAsync(url => url.EndsWith("/patient", StringComparison.Ordinal));
        var cookies = await context.CookiesAsync();
        await context.CloseAsync();
        return string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}"));
    }

    private static async Task WrkAsync(Uri baseAddress, string path, string? cookie, int seconds, int connections)
    {
        // wrk prints 50/75/90/99 %: the script adds the 95th percentile (and the count of non-2xx answers is checked).
        var script = Path.Combine(Path.GetTempPath(), $"nehr-wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, """
            done = function(summary, latency, requests)
              io.write(string.format("p50 %.2f p95 %.2f p99 %.2f\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
            end
            """);
        var start = new ProcessStartInfo("/usr/bin/wrk")
        {
            ArgumentList = { "-t2", $"-c{connections}", $"-d{seconds}s", "-s", script },
            RedirectStandardOutput = true,
        };
        if (cookie is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add($"Cookie: {cookie}");
        }

        start.ArgumentList.Add(new Uri(baseAddress, path).ToString());
        using var wrk = Process.Start(start)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        File.Delete(script);
        var rate = output.Split('\n').FirstOrDefault(l => l.StartsWith("Requests/sec", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
        var percentiles = output.Split('\n').FirstOrDefault(l => l.StartsWith("p50", StringComparison.Ordinal)) ?? "?";
        var errors = output.Split('\n').FirstOrDefault(l => l.Contains("Non-2xx", StringComparison.Ordinal))?.Trim();
        NationalBenchmark.Line($"  {path}: {rate} page loads/s, latency ms {percentiles}{(errors is null ? "" : $" ({errors})")} [wrk -t2 -c{connections} -d{seconds}s]");
    }

    private static long ManagedHeap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
