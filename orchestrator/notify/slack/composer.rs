//! Adding blocks to a message while they fit: Slack's block count and the total text budget.

use super::blocks::Block;

/// Adds blocks while they fit the block count and the total text budget.
pub(super) struct Composer {
    pub blocks: Vec<Block>,
    pub blocks_left: usize,
    pub chars_left: usize,
}

impl Composer {
    pub(super) fn new(blocks_left: usize, chars_left: usize) -> Self {
        Self {
            blocks: Vec::new(),
            blocks_left,
            chars_left,
        }
    }

    pub(super) fn fits(&self, block: &Block) -> bool {
        self.blocks_left > 0 && block.text_chars() <= self.chars_left
    }

    pub(super) fn push(&mut self, block: Block) -> bool {
        if !self.fits(&block) {
            return false;
        }
        self.blocks_left -= 1;
        self.chars_left -= block.text_chars();
        self.blocks.push(block);
        true
    }
}
