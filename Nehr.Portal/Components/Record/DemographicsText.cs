using Nehr.Core.Records;

namespace Nehr.Portal.Components.Record;

/// <summary>Demographics in words: a race the population register has not given reads "Not stated", never the enum's name.</summary>
public static class DemographicsText
{
    public static string Race(Race race) => race == Nehr.Core.Records.Race.NotStated ? "Not stated" : race.ToString();

    /// <summary>Race within a line of demographics ("Female · race not stated").</summary>
    public static string RaceInLine(Race race) => race == Nehr.Core.Records.Race.NotStated ? "race not stated" : race.ToString();
}
