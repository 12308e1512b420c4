using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Nehr.Browser.Tests;

/// <summary>
/// The real portal as its own process: the built Nehr.Portal.dll on Kestrel, bound to 127.0.0.1 on a free port
/// (port 0, read back from its log), with a fresh SQLite file seeded with the demo data.
/// </summary>
public sealed partial class PortalProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _directory;
    private readonly bool _ownsDirectory;

    private PortalProcess(Process process, string directory, bool ownsDirectory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; private set; }

    public string DatabasePath => Path.Combine(_directory, "nehr.db");

    public PortalDatabase Database => new(DatabasePath);

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the portal on a fresh database, or on the one in <paramref name="directory"/> (kept on disposal).</summary>
    public static async Task<PortalProcess> StartAsync(string? directory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var ownsDirectory = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "nehr-browser-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var start = PortalStartInfo();
        // The production pipeline (error pages, HSTS, Secure cookies), with the demo data a Production start refuses.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Test";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ConnectionStrings__Nehr"] = $"Data Source={Path.Combine(directory, "nehr.db")}";
        start.Environment["Nehr__Data__SeedDemoData"] = "true";
        start.Environment["Nehr__Security__SignInsPerMinute"] = "1000"; // the journeys sign in far more often than a person
        // Patients sign in through the portal's own development identity provider, on whatever port it listens.
        start.Environment["Nehr__NationalIdentity__ClientId"] = "nehr-portal-browser-tests";
        start.Environment["Nehr__NationalIdentity__DevelopmentProvider"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the portal.");
        var portal = new PortalProcess(process, directory, ownsDirectory, new Uri("http://127.0.0.1"));
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => portal.OnLine(e.Data, listening);
        process.ErrorDataReceived += (_, e) => portal.OnLine(e.Data, listening);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(StartTimeout));
        if (first != listening.Task)
        {
            var why = first == exited ? $"exited with code {process.ExitCode}" : "did not start in time";
            await portal.DisposeAsync();
            throw new InvalidOperationException($"The portal {why}. Its log:\n{portal.Log}");
        }

        portal.BaseAddress = await listening.Task;
        return portal;
    }

    private void OnLine(string? line, TaskCompletionSource<Uri> listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        var match = ListeningOn().Match(line);
        if (match.Success)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    /// <summary>
    /// Runs one of the portal's commands (<c>verify-audit</c>, <c>backup FILE</c>, <c>rotate-keys</c>) on the database
    /// in <paramref name="directory"/>, as an operator would; returns its exit code and what it printed.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(string directory, params string[] command)
    {
        var start = PortalStartInfo();
        foreach (var part in command)
        {
            start.ArgumentList.Add(part);
        }

        start.ArgumentList.Add($"--ConnectionStrings:Nehr=Data Source={Path.Combine(directory, "nehr.db")}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Test";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the portal's command.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output + await error);
    }

    /// <summary>`dotnet Nehr.Portal.dll` from the portal's build output (the same configuration as the tests'), output redirected.</summary>
    private static ProcessStartInfo PortalStartInfo()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var portalDirectory = Path.Combine(RepositoryRoot(), "Nehr.Portal", "bin", configuration, "net10.0");
        var dll = Path.Combine(portalDirectory, "Nehr.Portal.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the portal first: {dll} is missing.", dll);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = portalDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        return start;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nehr.Portal.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Nehr.Portal.sln not found above the test output folder.");
    }

    /// <summary>Kills the process at once (SIGKILL on Linux): no shutdown, no flush, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder; harmless.
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
