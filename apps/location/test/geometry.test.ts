import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ringProblem, signedDistanceToPolygon, ringVertices, type Ring } from '../src/domain/geometry/polygon.ts';
import { sideOf, signedDistanceM, type FenceShape } from '../src/domain/geometry/shape.ts';
import { haversineM } from '../src/domain/geometry/sphere.ts';

const polygon = (ring: Ring): FenceShape => ({ type: 'Polygon', coordinates: [ring] });
const square = (lon: number, lat: number, half: number): Ring => [
  [lon - half, lat - half],
  [lon + half, lat - half],
  [lon + half, lat + half],
  [lon - half, lat + half],
  [lon - half, lat - half],
];

describe('distances on the sphere', () => {
  it('when two points are one degree of latitude apart, then haversine says about 111.2 km', () => {
    assert.ok(Math.abs(haversineM({ lat: 0, lon: 0 }, { lat: 1, lon: 0 }) - 111_195) < 5);
  });

  it('when points straddle the antimeridian, then their distance is the short way round', () => {
    const d = haversineM({ lat: 0, lon: 179.9 }, { lat: 0, lon: -179.9 });
    assert.ok(Math.abs(d - 22_239) < 5, String(d));
  });

  it('when one point is a pole, then every longitude there is the same place', () => {
    assert.ok(haversineM({ lat: 90, lon: 0 }, { lat: 90, lon: 123 }) < 1e-6);
    assert.ok(Math.abs(haversineM({ lat: 89, lon: 10 }, { lat: 89, lon: -170 }) - 2 * 111_195) < 10);
  });
});

describe('circle fences', () => {
  const home: FenceShape = { type: 'circle', center: { lat: 52.52, lon: 13.405 }, radiusM: 100 };

  it('when a point is 50 m from the centre, then it is 50 m inside the boundary', () => {
    const d = signedDistanceM(home, { lat: 52.52 + 50 / 111_195, lon: 13.405 });
    assert.ok(Math.abs(d + 50) < 0.5, String(d));
  });

  it('when a point is near the centre with a small accuracy, then it is inside; far away it is outside', () => {
    assert.equal(sideOf(home, { lat: 52.52, lon: 13.405 }, 10), 'inside');
    assert.equal(sideOf(home, { lat: 52.53, lon: 13.405 }, 10), 'outside');
  });

  it('when the accuracy circle straddles the boundary, then the side is uncertain (hysteresis)', () => {
    const onEdge = { lat: 52.52 + 95 / 111_195, lon: 13.405 };
    assert.equal(sideOf(home, onEdge, 10), 'uncertain');
    assert.equal(sideOf(home, onEdge, 2), 'inside');
    const justOutside = { lat: 52.52 + 105 / 111_195, lon: 13.405 };
    assert.equal(sideOf(home, justOutside, 10), 'uncertain');
    assert.equal(sideOf(home, justOutside, 2), 'outside');
  });

  it('when a circle sits on the antimeridian, then points on both sides of it are inside', () => {
    const fence: FenceShape = { type: 'circle', center: { lat: -17, lon: 180 }, radiusM: 5000 };
    assert.equal(sideOf(fence, { lat: -17, lon: 179.99 }, 10), 'inside');
    assert.equal(sideOf(fence, { lat: -17, lon: -179.99 }, 10), 'inside');
    assert.equal(sideOf(fence, { lat: -17, lon: 179.9 }, 10), 'outside');
  });
});

describe('polygon fences', () => {
  it('when a point is in the middle of a square, then it is inside by the distance to the nearest edge', () => {
    const ring = square(13.4, 52.5, 0.01);
    const d = signedDistanceToPolygon({ lat: 52.5, lon: 13.4 }, ringVertices(ring));
    assert.ok(d < 0);
    assert.ok(Math.abs(-d - 0.01 * 111_195 * Math.cos((52.5 * Math.PI) / 180)) < 15, String(d));
  });

  it('when a point is outside a square, then its distance is positive and its side outside', () => {
    const fence = polygon(square(13.4, 52.5, 0.01));
    assert.ok(signedDistanceM(fence, { lat: 52.52, lon: 13.4 }) > 1000);
    assert.equal(sideOf(fence, { lat: 52.52, lon: 13.4 }, 10), 'outside');
  });

  it('when a concave polygon has a notch, then a point in the notch is outside and one in an arm inside', () => {
    // A "U": the notch is the middle top part.
    const u: Ring = [
      [0, 0],
      [0.03, 0],
      [0.03, 0.03],
      [0.02, 0.03],
      [0.02, 0.01],
      [0.01, 0.01],
      [0.01, 0.03],
      [0, 0.03],
      [0, 0],
    ];
    assert.equal(ringProblem(u), undefined);
    assert.equal(sideOf(polygon(u), { lat: 0.02, lon: 0.015 }, 5), 'outside');
    assert.equal(sideOf(polygon(u), { lat: 0.02, lon: 0.005 }, 5), 'inside');
    assert.equal(sideOf(polygon(u), { lat: 0.005, lon: 0.015 }, 5), 'inside');
  });

  it('when a polygon crosses the antimeridian, then points on both sides inside it are inside and the far side of the planet is not', () => {
    const fiji: Ring = [
      [179.9, -17.1],
      [-179.9, -17.1],
      [-179.9, -16.9],
      [179.9, -16.9],
      [179.9, -17.1],
    ];
    assert.equal(ringProblem(fiji), undefined);
    assert.equal(sideOf(polygon(fiji), { lat: -17, lon: 179.95 }, 10), 'inside');
    assert.equal(sideOf(polygon(fiji), { lat: -17, lon: -179.95 }, 10), 'inside');
    assert.equal(sideOf(polygon(fiji), { lat: -17, lon: 179.8 }, 10), 'outside');
    assert.equal(sideOf(polygon(fiji), { lat: 17, lon: 0.05 }, 10), 'outside');
  });

  it('when a polygon circles a pole, then the pole and points near it are inside and points beyond the ring outside', () => {
    const cap: Ring = [
      [0, 89.5],
      [90, 89.5],
      [180, 89.5],
      [-90, 89.5],
      [0, 89.5],
    ];
    assert.equal(ringProblem(cap), undefined);
    assert.equal(sideOf(polygon(cap), { lat: 90, lon: 0 }, 10), 'inside');
    assert.equal(sideOf(polygon(cap), { lat: 89.8, lon: -135 }, 10), 'inside');
    assert.equal(sideOf(polygon(cap), { lat: 89, lon: 45 }, 10), 'outside');
    assert.equal(sideOf(polygon(cap), { lat: -89.8, lon: 45 }, 10), 'outside');
  });

  it('when a point lies exactly on a corner or an edge, then it is on the boundary and uncertain', () => {
    const fence = polygon(square(10, 10, 0.01));
    assert.equal(signedDistanceM(fence, { lat: 9.99, lon: 9.99 }), 0);
    assert.equal(sideOf(fence, { lat: 10, lon: 10.01 }, 0.5), 'uncertain');
  });

  it('when the ring is valid and counter- or clockwise, then both wind the same way for inside', () => {
    const ccw = square(5, 5, 0.01);
    const cw = [...ccw].reverse() as Ring;
    assert.equal(sideOf(polygon(ccw), { lat: 5, lon: 5 }, 1), 'inside');
    assert.equal(sideOf(polygon(cw), { lat: 5, lon: 5 }, 1), 'inside');
  });
});

describe('ring validation', () => {
  it('when the ring is not closed, then it is refused', () => {
    assert.match(ringProblem([[0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01]]) ?? '', /not closed/);
  });

  it('when the ring has fewer than three corners, then it is refused', () => {
    assert.match(ringProblem([[0, 0], [0.01, 0], [0, 0]]) ?? '', /at least 4 positions/);
  });

  it('when the ring crosses itself (a bow tie), then it is refused with the crossing edges', () => {
    assert.match(ringProblem([[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]) ?? '', /crosses itself/);
  });

  it('when two consecutive corners are the same point, then it is refused', () => {
    assert.match(ringProblem([[0, 0], [0.01, 0], [0.01, 0], [0.01, 0.01], [0, 0]]) ?? '', /same point/);
  });

  it('when all corners lie on one line, then it encloses no area and is refused', () => {
    assert.match(ringProblem([[0, 0], [0.01, 0], [0.02, 0], [0, 0]]) ?? '', /no area|crosses itself/);
  });

  it('when the ring spans more than 500 km, then it is refused', () => {
    assert.match(ringProblem(square(0, 0, 3)) ?? '', /within 500 km/);
  });

  it('when the ring has more corners than allowed, then it is refused', () => {
    const many: Array<[number, number]> = Array.from({ length: 502 }, (_, i) => [0.01 * Math.cos((2 * Math.PI * i) / 502), 0.01 * Math.sin((2 * Math.PI * i) / 502)]);
    many.push(many[0] as [number, number]);
    assert.match(ringProblem(many) ?? '', /at most 500 corners/);
  });
});
