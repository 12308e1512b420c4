using MudBlazor;

namespace Nehr.Portal.Components.Layout;

internal static class NehrTheme
{
    // System fonts: the portal must not depend on a font CDN.
    private static readonly string[] Fonts = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0b5394",
            Secondary = "#00796b",
            AppbarBackground = "#0b5394",
            Error = "#b00020",
            // Darker than MudBlazor's defaults so that both the colour on white (outlined alerts, text) and white on the
            // colour (filled chips and alerts) reach WCAG AA's 4.5:1: 5.1, 5.6 and 5.8 on white.
            Success = "#2e7d32",
            Warning = "#9c5700",
            Info = "#1565c0",
            TextSecondary = "#595959",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Fonts },
        },
    };
}
