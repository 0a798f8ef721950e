import { readFromView, VIEW_MAPPING, VIEW_POINTS } from '../../../src/text/views';

describe('multi-view mapping', () => {
  it('matches the documented table', () => {
    expect(VIEW_MAPPING).toEqual({
      left: { 'in front of': 'right of', behind: 'left of', 'left of': 'in front of', 'right of': 'behind' },
      right: { 'in front of': 'left of', behind: 'right of', 'left of': 'behind', 'right of': 'in front of' },
      back: { 'in front of': 'behind', behind: 'in front of', 'left of': 'right of', 'right of': 'left of' },
    });
  });

  it('is a rotation: left twice is back, left then right is the camera view', () => {
    for (const p of ['in front of', 'behind', 'left of', 'right of']) {
      expect(readFromView(readFromView(p, 'left'), 'left')).toBe(readFromView(p, 'back'));
      expect(readFromView(readFromView(p, 'left'), 'right')).toBe(p);
      expect(readFromView(readFromView(p, 'back'), 'back')).toBe(p);
    }
  });

  it('keeps vertical and other predicates', () => {
    for (const view of VIEW_POINTS) {
      expect(readFromView('above', view)).toBe('above');
      expect(readFromView('on', view)).toBe('on');
    }
  });
});
