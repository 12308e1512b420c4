using Microsoft.Playwright;

namespace Nehr.Browser.Tests;

/// <summary>One portal process and one headless Debian Chromium shared by the browser tests; each test gets its own browser context.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private IPlaywright? _playwright;

    public PortalProcess Portal { get; private set; } = null!;

    /// <summary>The SMTP server the portal sends its e-mail to.</summary>
    public SmtpInbox Inbox { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Debian's Chromium is missing at {ChromiumPath}: run the README's test command, which installs it.");
        }

        Inbox = SmtpInbox.Start();
        Portal = await PortalProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["Nehr__Email__SmtpHost"] = "127.0.0.1",
            ["Nehr__Email__SmtpPort"] = Inbox.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Nehr__Email__SmtpSecurity"] = "None", // a relay on loopback
            ["Nehr__Email__PollSeconds"] = "1",
        });
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Portal.BaseAddress.ToString() });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }


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
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "Portal";
}
