using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Nehr.Integration.Tests;

/// <summary>
/// What EF Core and ASP.NET Core log as warnings while a test portal runs (errors are what tests that break the
/// database on purpose provoke; an unexpected one fails its test by its exception). Their run-time warnings are
/// defects (an unordered Skip/Take returns unpredictable pages, a misconfigured middleware runs in the wrong order):
/// a portal that logged one fails its test when it is disposed, unless the warning is one a test provokes on purpose.
/// </summary>
public sealed class FrameworkWarnings : ILoggerProvider
{
    private static readonly string[] Frameworks = ["Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore"];

    private readonly ConcurrentQueue<string> _logged = new();

    public IReadOnlyCollection<string> Logged => _logged;

    public ILogger CreateLogger(string categoryName) =>
        Frameworks.Any(f => categoryName.StartsWith(f, StringComparison.Ordinal)) ? new Collector(categoryName, _logged) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Collector(string category, ConcurrentQueue<string> logged) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel == LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                logged.Enqueue($"{logLevel} {category} [{eventId.Id} {eventId.Name}]: {formatter(state, exception)}");
            }
        }
    }

    private sealed class NullLogger : ILogger
    {
        public static readonly NullLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
