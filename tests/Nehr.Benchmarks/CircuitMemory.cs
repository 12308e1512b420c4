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

    public static async Task RunAsync(KestrelPortal portal, int circuits)
    {
        NationalBenchmark.Line($"Server memory per interactive circuit ({circuits} headless pages on the clinician's record page; goal <= 200 KB):");
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

        // Half the pages on the clinician's home page (layout, navigation, one small card: what every circuit costs),
        // then as many on a patient's record (the page a clinician keeps open); all stay open while measured.
        var half = Math.Max(1, circuits / 2);
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
        NationalBenchmark.Line($"  per circuit on the home page:   {(withHomes - before) / 1024.0 / half:0} KB (goal <= 200 KB)");
        NationalBenchmark.Line($"  per circuit on a record page:   {(withRecords - withHomes) / 1024.0 / half:0} KB (goal <= 200 KB)");
        // NEHR_CIRCUIT_PAUSE=seconds keeps the pages open that long, for a heap dump (dotnet-gcdump collect -p <pid>).
        if (int.TryParse(Environment.GetEnvironmentVariable("NEHR_CIRCUIT_PAUSE"), out var pause) && pause > 0)
        {
            NationalBenchmark.Line($"  pages held open for {pause} s in process {Environment.ProcessId}");
            await Task.Delay(TimeSpan.FromSeconds(pause));
        }

        foreach (var page in pages)
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
