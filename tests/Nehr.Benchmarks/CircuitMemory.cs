using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;

namespace Nehr.Benchmarks;

/// <summary>
/// Server memory per interactive circuit: many headless Chromium pages (Debian's Chromium), each with the clinician's
/// record page open over its own Blazor Server circuit, against the portal running in this process. The managed heap
/// after a full collection, before and with the pages open, divided by the number of pages.
/// </summary>
internal static class CircuitMemory
{
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    /// <summary>The measurement alone, on a fresh SQLite file with the demo data (its 50 patients at the hospital).</summary>
    public static async Task RunOnDemoDataAsync(int circuits)
    {
        var directory = Path.Combine(Path.GetTempPath(), "nehr-circuits", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await using (var portal = new KestrelPortal(Path.Combine(directory, "nehr.db")))
        {
            portal.UseKestrel(0);
            portal.StartServer();
            await RunAsync(portal, circuits);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    public static async Task RunAsync(KestrelPortal portal, int circuits)
    {
        NationalBenchmark.Line($"Server memory per interactive circuit ({circuits / 2} headless pages each on the portal's empty page, the clinician's home and a record; goal <= 1.25 x the empty page):");
        if (!File.Exists("/usr/bin/chromium"))
        {
            NationalBenchmark.Line($"  skipped: Debian's Chromium is not installed (apt-get install -y chromium)");
            return;
        }

        using var client = portal.CreateClient();
        var baseAddress = client.BaseAddress!;
        List<int> patients;
        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<NehrDbContext>>().CreateDbContextAsync())
        {
            var doctor = await db.Users.Where(u => u.Email == DemoAccounts.HospitalDoctor).Select(u => u.PersonnelId).SingleAsync();
            var hospital = await db.Personnel.Where(p => p.Id == doctor).Select(p => p.ProviderId).SingleAsync();
            patients = await db.CareRegistrations.Where(r => r.ProviderId == hospital && r.EndedAtUtc == null)
                .OrderBy(r => r.PatientId).Select(r => r.PatientId).Take(circuits).ToListAsync();
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });

        // One sign-in (password and the demo authenticator code); every page then shares its cookie.
        var first = await browser.NewContextAsync(new() { BaseURL = baseAddress.ToString() });
        var signIn = await first.NewPageAsync();
        await signIn.GotoAsync("/Account/Login");
        await signIn.GetByLabel("Email").FillAsync(DemoAccounts.HospitalDoctor);
        await signIn.GetByLabel("Password").FillAsync(DemoAccounts.Password);
        await signIn.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await signIn.GetByLabel("Authenticator code").FillAsync(Totp.Code(DemoAccounts.AuthenticatorKey, DateTimeOffset.UtcNow));
        await signIn.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
        await signIn.WaitForURLAsync(url => !url.Contains("/Account/", StringComparison.Ordinal));
        var cookies = await first.CookiesAsync();
        await first.CloseAsync();

        // As many pages again on the portal's empty page (no layout, nothing on it: the framework's floor), then half
        // the pages on the clinician's home page (layout, navigation, one small card: what every circuit costs), then
        // as many on a patient's record (the page a clinician keeps open); all stay open while measured.
        var half = Math.Max(1, circuits / 2);
        var empties = new List<IPage>();
        var beforeEmpty = ManagedHeap();
        for (var i = 0; i < half; i++)
        {
            empties.Add(await OpenAsync(browser, baseAddress, cookies, "/clinician/empty-page", "empty-page"));
        }

        var before = ManagedHeap();
        var pages = new List<IPage>();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < half; i++)
        {
            pages.Add(await OpenAsync(browser, baseAddress, cookies, "/clinician", "staff-name"));
        }

        var withHomes = ManagedHeap();
        foreach (var patientId in patients.Take(half))
        {
            pages.Add(await OpenAsync(browser, baseAddress, cookies, $"/clinician/patients/{patientId}", "record-patient-name"));
        }

        stopwatch.Stop();
        var withRecords = ManagedHeap();
        NationalBenchmark.Line($"  {pages.Count} pages open in {stopwatch.Elapsed.TotalSeconds:0} s; managed heap {before / 1048576.0:0.0} MB -> {withHomes / 1048576.0:0.0} MB -> {withRecords / 1048576.0:0.0} MB");
        NationalBenchmark.Line($"  whole process per page opened, home page:   {(withHomes - before) / 1024.0 / half:0} KB");
        NationalBenchmark.Line($"  whole process per page opened, record page: {(withRecords - withHomes) / 1024.0 / half:0} KB");
        // NEHR_CIRCUIT_PAUSE=seconds keeps the pages open that long, for a heap dump (dotnet-gcdump collect -p <pid>).
        if (int.TryParse(Environment.GetEnvironmentVariable("NEHR_CIRCUIT_PAUSE"), out var pause) && pause > 0)
        {
            NationalBenchmark.Line($"  pages held open for {pause} s in process {Environment.ProcessId}");
            await Task.Delay(TimeSpan.FromSeconds(pause));
        }

        // The figures above also count what this process keeps for the browser pages themselves (Playwright's client
        // objects live in this process too) and first-use caches. The circuits alone: the same pages leave for a
        // page without a circuit (the browser says goodbye and the server disposes the circuit), and the heap drops
        // by what the circuits held.
        await LeaveAsync(pages.Skip(half));
        var withoutRecordCircuits = ManagedHeap();
        await LeaveAsync(pages.Take(half));
        var withoutCircuits = ManagedHeap();
        await LeaveAsync(empties);
        var withoutEmpties = ManagedHeap();
        var empty = (withoutCircuits - withoutEmpties) / 1024.0 / half;
        var home = (withoutRecordCircuits - withoutCircuits) / 1024.0 / half;
        var record = (withRecords - withoutRecordCircuits) / 1024.0 / half;
        NationalBenchmark.Line($"  circuit alone, empty page:  {empty:0} KB (the framework's floor; opening them: {(before - beforeEmpty) / 1024.0 / half:0} KB a page, whole process)");
        NationalBenchmark.Line($"  circuit alone, home page:   {home:0} KB = {home / empty:0.00} x the empty page (goal <= 1.25 x)");
        NationalBenchmark.Line($"  circuit alone, record page: {record:0} KB = {record / empty:0.00} x the empty page (goal <= 1.25 x)");

        foreach (var page in empties.Concat(pages))
        {
            await page.Context.CloseAsync();
        }
    }

    private static async Task<IPage> OpenAsync(IBrowser browser, Uri baseAddress, IReadOnlyList<BrowserContextCookiesResult> cookies, string path, string loaded)
    {
        var context = await browser.NewContextAsync(new() { BaseURL = baseAddress.ToString() });
        await context.AddCookiesAsync(cookies.Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite }));
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(path);
        await page.GetByTestId(loaded).First.WaitForAsync();
        return page;
    }

    private static async Task LeaveAsync(IEnumerable<IPage> pages)
    {
        foreach (var page in pages)
        {
            await page.GotoAsync("/health/live");
        }

        // Circuits are disposed in the background once the browser's goodbye arrives.
        await Task.Delay(TimeSpan.FromSeconds(5));
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
