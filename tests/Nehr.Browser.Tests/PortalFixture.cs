using Microsoft.Playwright;

namespace Nehr.Browser.Tests;

/// <summary>One portal process and one headless Debian Chromium shared by the browser tests; each test gets its own browser context.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>
    /// Debian's headless build of the same Chromium (package chromium-headless-shell), when installed: the shell that
    /// Playwright itself runs headless tests in, without the full browser's window and compositing machinery.
    /// NEHR_CHROMIUM names another.
    /// </summary>
    public const string HeadlessShellPath = "/usr/bin/chromium-headless-shell";

    private static string Executable =>
        Environment.GetEnvironmentVariable("NEHR_CHROMIUM") is { Length: > 0 } chosen ? chosen
        : File.Exists(HeadlessShellPath) ? HeadlessShellPath
        : ChromiumPath;

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private readonly List<IBrowserContext> _contexts = [];

    private IPlaywright? _playwright;

    public PortalProcess Portal { get; private set; } = null!;

    /// <summary>The SMTP server the portal sends its e-mail to.</summary>
    public SmtpInbox Inbox { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"Debian's Chromium is missing at {Executable}: run the README's test command, which installs it.");
        }

        Inbox = SmtpInbox.Start();
        Directory.CreateDirectory(_integrity);
        await File.WriteAllTextAsync(CheckpointKeyFile, Nehr.Core.Audit.CheckpointSigner.NewKeyPem());
        Portal = await PortalProcess.StartAsync(environment: new Dictionary<string, string>
        {
            // A signed checkpoint log, as in production: the portal signs one at start, over the demo data.
            ["Nehr__Integrity__CheckpointFile"] = Path.Combine(_integrity, "audit-checkpoints.jsonl"),
            ["Nehr__Integrity__SigningKeyFile"] = CheckpointKeyFile,
            ["Nehr__Email__SmtpHost"] = "127.0.0.1",
            ["Nehr__Email__SmtpPort"] = Inbox.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Nehr__Email__SmtpSecurity"] = "None", // a relay on loopback
            ["Nehr__Email__PollSeconds"] = "1",
            ["Nehr__Alerts__ScanEverySeconds"] = "1", // an auditor finds a case a second after the access (2 s in production)
            ["Nehr__Security__RevalidateSeconds"] = "5", // a deactivated person's open circuit ends sooner than in production (30 s)
        });
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ChromiumArgs,
        });

        // The portal's first page load (its static assets read and compressed answers cached, code compiled) can take
        // longer than a test's 15 s on a busy machine: done here once, so that no test's first step times out.
        var warmUp = await NewPageAsync();
        await warmUp.GotoAsync("/Account/Login", new() { Timeout = 120_000 });
        await CloseContextsAsync();
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Portal.BaseAddress.ToString() });
        lock (_contexts)
        {
            _contexts.Add(context);
        }

        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Closes every browser context opened so far (the tests of the collection run one at a time; see <see cref="PortalTest"/>).</summary>
    public async Task CloseContextsAsync()
    {
        IBrowserContext[] open;
        lock (_contexts)
        {
            open = [.. _contexts];
            _contexts.Clear();
        }

        foreach (var context in open)
        {
            await context.CloseAsync();
        }
    }

    /// <summary>The <paramref name="offset"/>-th person of the register with no account yet (not one another test uses), and their name.</summary>
    public (string Nric, string Name) PersonWithoutAccount(int offset)
    {
        var id = Portal.Database.Scalar(
            $"SELECT Id FROM Patients WHERE Id NOT IN (SELECT PatientId FROM AspNetUsers WHERE PatientId IS NOT NULL) ORDER BY Id LIMIT 1 OFFSET {offset}");
        return (Portal.Database.Scalar("SELECT Nric FROM Patients WHERE Id = $id", ("$id", id)),
            Portal.Database.Scalar("SELECT Name FROM Patients WHERE Id = $id", ("$id", id)));
    }

    /// <summary>A new page signed in with Singpass (the development provider) as the person with this NRIC/FIN, on their home page.</summary>
    public async Task<IPage> SignedInWithSingpassAsync(string nric)
    {
        var page = await NewPageAsync();
        var signIn = new Pages.SignInPage(page);
        await signIn.GotoAsync();
        await signIn.SignInWithSingpassAsync(nric: nric);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/patient$"));
        return page;
    }


    private readonly string _integrity = Path.Combine(Path.GetTempPath(), "nehr-browser-tests", "integrity-" + Guid.NewGuid().ToString("N"));

    /// <summary>The key the portal signs its audit checkpoints with (a test checks a proof with its public half).</summary>
    public string CheckpointKeyFile => Path.Combine(_integrity, "checkpoint-signing.pem");

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Portal is not null)
        {
            // Set NEHR_PORTAL_LOG to a file path to keep the portal's output of a test run (for diagnosing failures).
            if (Environment.GetEnvironmentVariable("NEHR_PORTAL_LOG") is { Length: > 0 } logPath)
            {
                await File.WriteAllTextAsync(logPath, Portal.Log);
            }

            await Portal.DisposeAsync();
        }

        if (Inbox is not null)
        {
            await Inbox.DisposeAsync();
        }

        if (Directory.Exists(_integrity))
        {
            Directory.Delete(_integrity, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "Portal";
}
