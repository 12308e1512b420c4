using Microsoft.Data.Sqlite;

namespace Nehr.Browser.Tests;

/// <summary>Direct access to the running portal's SQLite file: to look up demo data, and to act as another part of the system would (e.g. MOH suspending someone).</summary>
public sealed class PortalDatabase(string path)
{
    public string NricOf(string patientEmail) => Scalar(
        "SELECT p.Nric FROM Patients p JOIN AspNetUsers u ON u.PatientId = p.Id WHERE u.Email = $email", ("$email", patientEmail));

    public void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    public string Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)
            ?? throw new InvalidOperationException($"No value for: {sql}");
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={path};Default Timeout=30");
        connection.Open();
        return connection;
    }
}
