using Microsoft.Playwright;

namespace Nehr.Browser.Tests.Pages;

/// <summary>The admin area: the provider's personnel and the auditors' trail.</summary>
public sealed class AdminPages(IPage page)
{
    public IPage Page => page;

    /// <summary>A member of staff's row in the personnel table.</summary>
    public ILocator PersonnelRow(string name) => page.GetByTestId("personnel-table").GetByRole(AriaRole.Row).Filter(new() { HasText = name });

    public ILocator AuditPatient => page.GetByLabel("Patient NRIC/FIN");

    public ILocator AuditSearchButton => page.GetByTestId("search");

    public ILocator AuditExportButton => page.GetByRole(AriaRole.Link, new() { Name = "Export the results shown as CSV" });

    public ILocator AuditRows => page.GetByTestId("audit-row");

    public async Task ChooseEventTypeAsync(string type)
    {
        await page.GetByLabel("Event type").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = type, Exact = true }).ClickAsync();
    }

    /// <summary>Clicks the export and returns the downloaded CSV's lines.</summary>
    public async Task<string[]> ExportAsync()
    {
        var download = await page.RunAndWaitForDownloadAsync(() => AuditExportButton.ClickAsync());
        Assert.Equal("nehr-audit.csv", download.SuggestedFilename);
        return await File.ReadAllLinesAsync((await download.PathAsync())!);
    }
}
