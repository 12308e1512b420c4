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
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Fonts },
        },
    };
}
