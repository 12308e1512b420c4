using Microsoft.Extensions.Configuration.Json;

namespace Nehr.Portal.Hosting;

internal static class ConfigurationExtensions
{
    private const string SettingsFile = "appsettings.json";
    private const string SolutionFile = "Nehr.Portal.sln";

    /// <summary>
    /// Reads appsettings.json from the repository root (found by walking up to the solution file), or the copy
    /// in the build output. It is loaded where the default appsettings.json would be, so environment-specific
    /// files, environment variables and the command line still override it.
    /// </summary>
    public static WebApplicationBuilder AddNehrConfiguration(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseStaticWebAssets();
        var path = FindRootSettings(builder.Environment.ContentRootPath)
            ?? Path.Combine(AppContext.BaseDirectory, SettingsFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The portal's settings file was not found (looked for {path}).", path);
        }

        // Then appsettings.{Environment}.json beside it, if there is one (appsettings.Development.json turns the demo data on).
        var environmentPath = Path.Combine(Path.GetDirectoryName(path)!, $"appsettings.{builder.Environment.EnvironmentName}.json");
        var sources = builder.Configuration.Sources;
        var index = sources.ToList().FindIndex(s => s is JsonConfigurationSource json && json.Path?.StartsWith("appsettings", StringComparison.Ordinal) == true);
        index = index < 0 ? 0 : index;
        sources.Insert(index, Json(path, optional: false));
        sources.Insert(index + 1, Json(environmentPath, optional: true));
        return builder;
    }

    private static JsonConfigurationSource Json(string path, bool optional)
    {
        var source = new JsonConfigurationSource { Path = path, Optional = optional, ReloadOnChange = false };
        source.ResolveFileProvider();
        return source;
    }

    private static string? FindRootSettings(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                var candidate = Path.Combine(dir.FullName, SettingsFile);
                return File.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
