SELECT "flood_station"."id" AS "id", "flood_station"."code" AS "code", "flood_station"."name" AS "name", "flood_station"."kind" AS "kind", CASE WHEN "flood_station"."kind" = %s THEN %s ELSE %s END AS "kind_name", "flood_river"."name" AS "river_name", ((SELECT CASE
    WHEN m.v IS NULL THEN 'normal'
    WHEN flood_station.kind = 'rain' AND m.v >= flood_station.guarantee_level THEN 'danger'
    WHEN flood_station.kind = 'rain' AND m.v >= flood_station.warning_level THEN 'warning'
    WHEN flood_station.kind <> 'rain' AND m.v > flood_station.guarantee_level THEN 'danger'
    WHEN flood_station.kind <> 'rain' AND m.v > flood_station.warning_level THEN 'warning'
    ELSE 'normal' END FROM (SELECT (CASE WHEN flood_station.kind = 'rain' THEN (CASE WHEN flood_station.kind = 'rain' THEN (SELECT (
    SELECT round(sum(r.value)::numeric, 1)::float8 FROM flood_reading r
    WHERE r.station_id = flood_station.id AND r.time <= l.t AND r.time > l.t - make_interval(secs => %s))
  FROM (SELECT (SELECT max(r.time) FROM flood_reading r WHERE r.station_id = flood_station.id) AS t) l) END) ELSE (SELECT r.value FROM flood_reading r WHERE r.station_id = flood_station.id ORDER BY r.time DESC LIMIT 1) END) AS v) m)) AS "state", ((SELECT CASE WHEN flood_station.kind = 'rain' THEN
    CASE s.state WHEN %s THEN %s WHEN %s THEN %s WHEN %s THEN %s END
  ELSE CASE s.state WHEN %s THEN %s WHEN %s THEN %s WHEN %s THEN %s END END FROM (SELECT (SELECT CASE
    WHEN m.v IS NULL THEN 'normal'
    WHEN flood_station.kind = 'rain' AND m.v >= flood_station.guarantee_level THEN 'danger'
    WHEN flood_station.kind = 'rain' AND m.v >= flood_station.warning_level THEN 'warning'
    WHEN flood_station.kind <> 'rain' AND m.v > flood_station.guarantee_level THEN 'danger'
    WHEN flood_station.kind <> 'rain' AND m.v > flood_station.warning_level THEN 'warning'
    ELSE 'normal' END FROM (SELECT (CASE WHEN flood_station.kind = 'rain' THEN (CASE WHEN flood_station.kind = 'rain' THEN (SELECT (
    SELECT round(sum(r.value)::numeric, 1)::float8 FROM flood_reading r
    WHERE r.station_id = flood_station.id AND r.time <= l.t AND r.time > l.t - make_interval(secs => %s))
  FROM (SELECT (SELECT max(r.time) FROM flood_reading r WHERE r.station_id = flood_station.id) AS t) l) END) ELSE (SELECT r.value FROM flood_reading r WHERE r.station_id = flood_station.id ORDER BY r.time DESC LIMIT 1) END) AS v) m) AS state) s)) AS "state_name", ((SELECT l.t IS NULL OR l.t < now() - make_interval(secs => %s) FROM (SELECT (SELECT max(r.time) FROM flood_reading r WHERE r.station_id = flood_station.id) AS t) l)) AS "stale", ((SELECT r.value FROM flood_reading r WHERE r.station_id = flood_station.id ORDER BY r.time DESC LIMIT 1)) AS "latest_value", ((SELECT max(r.time) FROM flood_reading r WHERE r.station_id = flood_station.id)) AS "latest_time", ((CASE WHEN flood_station.kind = 'rain' THEN (SELECT (
    SELECT round(sum(r.value)::numeric, 1)::float8 FROM flood_reading r
    WHERE r.station_id = flood_station.id AND r.time <= l.t AND r.time > l.t - make_interval(secs => %s))
  FROM (SELECT (SELECT max(r.time) FROM flood_reading r WHERE r.station_id = flood_station.id) AS t) l) END)) AS "rain_24h_mm", "flood_station"."warning_level" AS "warning_level", "flood_station"."guarantee_level" AS "guarantee_level", "flood_station"."generated" AS "generated" FROM "flood_station" LEFT OUTER JOIN "flood_river" ON ("flood_station"."river_id" = "flood_river"."id") ORDER BY 4 ASC, 2 ASC
